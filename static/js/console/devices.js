/* The header's count of phones: how many people have the phone page connected now, and how
 * many of them run an older version of it than the server's (they get the new one when they
 * reload). Each server process counts its own connections and sends its count with its token
 * (facilitator/broadcast.py `devices`); the console keeps the latest of each and adds them. */
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const byProcess = new Map();

function paint() {
  let phones = 0;
  let outdated = 0;
  for (const d of byProcess.values()) {
    phones += d.phones;
    outdated += d.outdated;
  }
  const box = $("#devices");
  if (!box) return;
  show(box, byProcess.size > 0);
  box.dataset.phones = String(phones);
  box.dataset.outdated = String(outdated);
  setText($("#devices-count"), t(phones === 1 ? "phones_one" : "phones_many", { n: phones }));
  const old = $("#devices-outdated");
  show(old, outdated > 0);
  setText(old, t("phones_outdated", { n: outdated }));
}

export function renderDevices(d) {
  byProcess.set(d.process, d);
  paint();
}

/* The connection is down: the counts are unknown until the server sends them again (a
 * restarted server is a new process with a new token). */
export function clearDevices() {
  byProcess.clear();
  paint();
}
