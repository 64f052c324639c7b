/* The console's header: the clock, the schedule strip (section, time left, pace) and the undo
 * button. The snapshot's "time left" figures were true at its server_now; they keep counting
 * here, every second. */
import { now } from "../lib/clock.js";
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { every } from "../lib/lifecycle.js";
import { fmt } from "../lib/timer.js";
import { didLabel } from "./feedback.js";
import { current } from "./state.js";

function duration(ms) {
  return ms < 0 ? t("over_by", { time: fmt(-ms).replace("+", "") }) : fmt(ms);
}

function pace(behind) {
  if (behind === null) return ["", "–"];
  if (behind > 15000) return ["behind", t("behind", { time: fmt(behind) })];
  if (behind < -15000) return ["ahead", t("ahead", { time: fmt(-behind) })];
  return ["on", t("on_time")];
}

export function renderSchedule(snap) {
  const sc = snap.schedule;
  const since = now() - snap.server_now;
  setText($("#sched-section"), snap.section ? snap.section.title : t("no_section"));
  const secLeft = $("#sched-section-left");
  const sectionLeft = sc.section_left_ms === null ? null : sc.section_left_ms - since;
  setText(secLeft, sectionLeft === null ? "–" : duration(sectionLeft));
  secLeft.dataset.over = sectionLeft !== null && sectionLeft < 0 ? "yes" : "no";
  const sessionLeft = sc.session_left_ms;
  setText($("#sched-session-left"), sessionLeft === null ? "–" : duration(sessionLeft - since));
  const [state, text] = pace(sc.behind_ms);
  const box = $("#sched-pace");
  box.dataset.pace = state;
  setText(box, text);
  const undo = snap.undo;
  show($("#btn-undo"), !!undo);
  if (undo) setText($("#btn-undo [data-label]"), t("undo_what", { action: didLabel(undo.action) }));
}

function clock() {
  const snap = current();
  if (snap) renderSchedule(snap);
  const time = new Date(now()).toLocaleTimeString(document.documentElement.lang, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  setText($("#clock"), time);
}
every(clock, 1000);
clock();
