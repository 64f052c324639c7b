/* Voting, one control per method: a dot (or a stepper when a pitch may take several), an
 * approval mark, or two 1-5 ratings. The ballot over the round, "rate it now" right after a
 * pitch in per-pitch rounds, and the results once revealed. */
import { now } from "../lib/clock.js";
import { $, el, render, setText, show } from "../lib/dom.js";
import { scoreText, t } from "../lib/i18n.js";
import { every } from "../lib/lifecycle.js";
import { dotsLeft, dotsOn, ratingOf, setDots, setRating } from "./pending.js";
import { mine, state } from "./state.js";

function ratingRow(p, what, value) {
  const rate = (n) => (ev) => setRating(p.id, what, value === n ? 0 : n, ev.currentTarget);
  return el(
    "div",
    { class: "rate-row", role: "group", "aria-label": `${t(what)}: ${p.title}` },
    el("span", { class: "rate-label" }, t(what)),
    el(
      "span",
      { class: "rate-buttons" },
      [1, 2, 3, 4, 5].map((n) =>
        el(
          "button",
          {
            type: "button",
            class: `rate queues${value === n ? " on" : ""}`,
            "aria-pressed": value === n ? "true" : "false",
            "aria-label": t("rate_value", { what: t(what), n, title: p.title }),
            onclick: rate(n),
          },
          String(n),
        ),
      ),
    ),
  );
}

function ballotControls(p, left) {
  const { snap } = state;
  const method = snap.method;
  if (mine().has(p.id)) return el("span", { class: "own" }, t("your_pitch"));
  if (method === "matrix") {
    const r = ratingOf(p.id) || { impact: 0, ease: 0 };
    return el(
      "div",
      { class: "rate-rows" },
      ratingRow(p, "impact", r.impact),
      ratingRow(p, "ease", r.ease),
    );
  }
  const dots = dotsOn(p.id);
  const set = (n) => (ev) => setDots(p.id, n, ev.currentTarget);
  const maxPer = method === "approval" ? 1 : snap.session.max_dots_per_pitch;
  if (maxPer === 1) {
    let label = dots ? t("dot_given") : t("give_dot");
    if (method === "approval") label = dots ? t("approved") : t("approve");
    return el(
      "button",
      {
        type: "button",
        class: dots ? "dot queues on" : "dot queues",
        "aria-pressed": dots ? "true" : "false",
        disabled: !dots && left !== null && left <= 0,
        onclick: set(dots ? 0 : 1),
      },
      label,
    );
  }
  return el(
    "span",
    { class: "stepper" },
    el(
      "button",
      {
        type: "button",
        class: "dot queues",
        disabled: dots <= 0,
        onclick: set(dots - 1),
        "aria-label": t("take_dot_from", { title: p.title }),
      },
      "\u2212",
    ),
    el("span", { class: "count" }, String(dots)),
    el(
      "button",
      {
        type: "button",
        class: "dot queues",
        disabled: left <= 0 || dots >= maxPer,
        onclick: set(dots + 1),
        "aria-label": t("give_dot_to", { title: p.title }),
      },
      "+",
    ),
  );
}

function ballotItem(p, left) {
  const { snap } = state;
  const matrix = snap.method === "matrix";
  const voted = matrix ? !!ratingOf(p.id) : dotsOn(p.id) > 0;
  const who = p.pitcher + (p.organisation ? ` · ${p.organisation}` : "");
  return el(
    "li",
    { class: `ballot-item${voted ? " voted" : ""}${matrix ? " rating" : ""}` },
    el(
      "div",
      { class: "bi-text" },
      el("span", { class: "bi-title" }, p.title),
      p.title_alt ? el("span", { class: "bi-title-alt" }, p.title_alt) : null,
      el("span", { class: "bi-pitcher" }, who),
      p.offer ? el("span", { class: "bi-offer" }, p.offer) : null,
    ),
    ballotControls(p, left),
  );
}

function ballotKey(list, left) {
  const { snap } = state;
  return JSON.stringify([
    snap.method,
    list.map((p) => [p.id, p.title, p.pitcher, p.offer, dotsOn(p.id), ratingOf(p.id)]),
    left,
    snap.session.max_dots_per_pitch,
    [...mine()],
  ]);
}

function hint(snap, left, list) {
  if (!list.length && snap.round === "per_pitch") return t("per_pitch_wait");
  if (snap.method === "matrix") return t("rate_hint");
  if (snap.method === "approval") return t("approve_hint");
  const budget = snap.session.dots_per_person;
  return t("dots_left", { left, budget }) + (left === 0 ? ` ${t("take_back_hint")}` : "");
}

export function renderVote() {
  const { snap } = state;
  const open = snap.voting === "open";
  const closedNotRevealed = snap.voting === "closed" && !snap.results;
  show($("#vote"), open || closedNotRevealed);
  if (!open) {
    setText($("#dots-left"), closedNotRevealed ? t("voting_closed_wait") : "");
    render($("#ballot"), "closed", () => []);
    return;
  }
  const openIds = new Set(snap.open_ids);
  const list = snap.votable.filter((p) => openIds.has(p.id));
  const left = dotsLeft(snap.session.dots_per_person);
  setText($("#dots-left"), hint(snap, left, list));
  render($("#ballot"), ballotKey(list, left), () => list.map((p) => ballotItem(p, left)));
}

/* Right after a pitch (per-pitch rounds): rate it now, while its window is open. */
export function renderRateNow() {
  const { snap } = state;
  const r = snap.rate_now;
  const p = r && now() < r.until ? snap.votable.find((x) => x.id === r.pitch_id) : null;
  const visible = !!p && snap.voting === "open" && !mine().has(p.id);
  show($("#rate-now"), visible);
  $("#app").dataset.rateNow = visible ? "yes" : "no";
  if (!visible) return;
  setText($("#rate-now-heading"), t("rate_now", { title: p.title }));
  const left = dotsLeft(snap.session.dots_per_person);
  render($("#rate-now-ballot"), ballotKey([p], left), () => [ballotItem(p, left)]);
}
every(() => {
  if (state.snap) renderRateNow();
}, 1000);

export function renderResults() {
  const { snap } = state;
  const rows = snap.results;
  show($("#results"), !!rows);
  if (!rows) return;
  const key = JSON.stringify([snap.method, rows.map((r) => [r.id, r.rank, r.score, r.title])]);
  render($("#ranking"), key, () =>
    rows.map((r) =>
      el(
        "li",
        { class: `rank-item${r.rank <= 3 && r.score ? " top" : ""}` },
        el("span", { class: "rank" }, r.tied ? `=${r.rank}` : String(r.rank)),
        el("span", { class: "ri-title" }, r.title),
        el("span", { class: "ri-votes" }, scoreText(snap.method, r)),
      ),
    ),
  );
}
