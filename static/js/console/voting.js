/* The room and the vote: head counts, the state of voting and its buttons, and the live tally
 * (the moderator's only, whatever the screen shows). */
import { $, el, render, setText } from "../lib/dom.js";
import { scoreText, t } from "../lib/i18n.js";

function votingLabel(voting) {
  if (voting === "open") return t("close_voting");
  if (voting === "closed") return t("reopen_voting");
  return t("open_voting");
}

function tallyRow(method, r) {
  const parts = [];
  if (method === "matrix" && r.impact !== null) {
    const ease = r.ease === null ? "–" : r.ease;
    parts.push(`${t("impact")} ${r.impact} · ${t("ease")} ${ease}`);
  }
  if (r.interest) {
    parts.push(t(r.interest === 1 ? "interested_one" : "interested_many", { n: r.interest }));
  }
  return el(
    "li",
    { class: r.tied ? "tied" : "" },
    el("span", { class: "rank" }, r.tied ? `=${r.rank}` : String(r.rank)),
    el("span", { class: "t-title" }, r.title, el("span", { class: "t-sub" }, parts.join(" · "))),
    el("span", { class: "t-votes" }, scoreText(method, r)),
  );
}

export function renderVoting(snap) {
  setText($('[data-count="participants"]'), String(snap.counts.participants));
  setText($('[data-count="ballots"]'), String(snap.counts.ballots));
  const revealed = snap.revealed ? ` · ${t("revealed")}` : "";
  setText($("#voting-state"), t(`voting_${snap.voting}`) + revealed);
  setText($("#btn-voting [data-label]"), votingLabel(snap.voting));
  const step = snap.revealed && snap.reveal && !snap.reveal.complete ? snap.reveal : null;
  let reveal = snap.revealed ? t("hide_results") : t("reveal_results");
  if (step) reveal = t("reveal_next", { n: String(step.places + 1), of: String(step.of) });
  setText($("#btn-reveal [data-label]"), reveal);
  $("#btn-reveal").disabled = snap.voting === "idle";
  const rows = snap.results;
  setText($("#method-name"), t(`method_${snap.method}`));
  const key = rows.map((r) => [r.id, r.score, r.rank, r.title, r.impact, r.ease, r.interest]);
  render($("#tally"), JSON.stringify([snap.method, key]), () =>
    rows.length
      ? rows.map((r) => tallyRow(snap.method, r))
      : [el("li", { class: "empty" }, t("no_votes_yet"))],
  );
}
