/* Fitting the queue into the time left: the box above the queue, and the dialog that asks before
 * every waiting pitch gets the proposed length. */
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { fmt } from "../lib/timer.js";
import { toast } from "../lib/toast.js";
import { current } from "./state.js";

export function renderFit(snap) {
  const fit = snap.schedule.fit;
  const box = $("#fit");
  show(box, !!fit && snap.schedule.waiting.length > 0);
  if (!fit) return;
  const need = fmt(fit.needed_ms);
  const have = fmt(Math.max(0, fit.available_ms));
  const each = fit.proposal_seconds ? fmt(fit.proposal_seconds * 1000) : "";
  let text;
  if (fit.fits) text = t("fit_ok", { need, have });
  else if (fit.proposal_seconds) text = t("fit_proposal", { need, have, each });
  else {
    text = t("fit_impossible", {
      n: fit.left_out,
      floor: fmt(snap.schedule.floor_seconds * 1000),
    });
  }
  setText($("#fit-text"), text);
  box.dataset.state = fit.fits ? "ok" : "over";
  show($("#btn-fit"), !fit.fits && !!fit.proposal_seconds);
  setText($("#btn-fit [data-label]"), fit.proposal_seconds ? t("fit_button", { each }) : "");
}

export function openFit() {
  const snap = current();
  const fit = snap?.schedule.fit;
  if (!fit || fit.fits || !fit.proposal_seconds) {
    toast(fit?.fits ? t("fit_nothing") : t("fit_unavailable"));
    return;
  }
  const seconds = fit.proposal_seconds;
  const n = snap.schedule.waiting.length;
  setText($("#fit-dialog-text"), t("fit_confirm", { n, each: fmt(seconds * 1000) }));
  const dialog = $("#fit-dialog");
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue !== "confirm") return;
      send("schedule:fit", { seconds }).then((ack) => ack.ok && toast(t("fit_done"), "ok"));
    },
    { once: true },
  );
}
