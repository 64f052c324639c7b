/* The timing report: planned against actual time per section and per pitch, and the log of
 * the moderator's actions. A pitch is over only when it ran longer than the time it was
 * given: its plan with the moderator's extensions and cuts (domain/timing.py). */
import { $, el, render } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { fmt } from "../lib/timer.js";

// A duration in whole seconds, half up, as the server compares them (domain/timing.py).
const dur = (ms) => fmt(Math.round(ms / 1000) * 1000);

function signed(ms) {
  if (!ms) return "–";
  return (ms > 0 ? "+" : "\u2212") + dur(Math.abs(ms));
}

function line(name, x, withChanges) {
  const overText = x.over_ms ? ` (${t("over_by", { time: dur(x.over_ms) })})` : "";
  return el(
    "tr",
    { class: x.over_ms ? "over" : "" },
    el("th", { scope: "row" }, name),
    el("td", {}, dur(x.planned_ms)),
    withChanges ? el("td", {}, signed(x.changes_ms)) : null,
    el("td", {}, x.actual_ms === null ? "–" : dur(x.actual_ms) + overText),
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
    r.sections.map((x) => line(x.title, x, false)),
  );
  render($("#report-pitches tbody"), JSON.stringify(r.pitches), () =>
    r.pitches.length
      ? r.pitches.map((x) => line(`${x.title} (${x.pitcher})`, x, true))
      : [el("tr", {}, el("td", { colspan: 4, class: "empty" }, t("no_pitch_run")))],
  );
  const logKey = JSON.stringify(snap.log.map((e) => [e.at, e.undone]));
  render($("#log"), logKey, () => snap.log.map(logItem));
}
