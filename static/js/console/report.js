/* The timing report: planned against actual time per section and per pitch, and the log of
 * the moderator's actions. */
import { $, el, render } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { fmt } from "../lib/timer.js";

function line(name, planned, actual, over) {
  const overText = over ? ` (${t("over_by", { time: fmt(over) })})` : "";
  return el(
    "tr",
    { class: over ? "over" : "" },
    el("th", { scope: "row" }, name),
    el("td", {}, fmt(planned)),
    el("td", {}, actual === null ? "–" : fmt(actual) + overText),
  );
}

function logItem(e) {
  const at = new Date(e.at).toLocaleTimeString(document.documentElement.lang);
  return el(
    "li",
    { class: e.undone ? "undone" : "" },
    el("time", {}, at),
    " ",
    el("strong", {}, e.action),
    e.detail ? ` ${e.detail}` : "",
    e.undone ? ` (${t("undone_mark")})` : "",
  );
}

export function renderReport(snap) {
  const r = snap.report;
  const seconds = (ms) => (ms === null ? null : Math.round(ms / 1000));
  const sectionsKey = JSON.stringify(r.sections.map((x) => [x.id, seconds(x.actual_ms), x.title]));
  render($("#report-sections tbody"), sectionsKey, () =>
    r.sections.map((x) => {
      const over = x.actual_ms > x.planned_ms ? x.actual_ms - x.planned_ms : 0;
      return line(x.title, x.planned_ms, x.actual_ms, over);
    }),
  );
  render($("#report-pitches tbody"), JSON.stringify(r.pitches), () =>
    r.pitches.length
      ? r.pitches.map((x) =>
          line(`${x.title} (${x.pitcher})`, x.planned_ms, x.actual_ms, x.overrun_ms),
        )
      : [el("tr", {}, el("td", { colspan: 3, class: "empty" }, t("no_pitch_run")))],
  );
  const logKey = JSON.stringify(snap.log.map((e) => [e.at, e.undone]));
  render($("#log"), logKey, () => snap.log.map(logItem));
}
