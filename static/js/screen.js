/* The projector screen: read-only, one message at a time. The results and the chime are modules
 * of screen/; this one follows the stage. */
import { now } from "./lib/clock.js";
import { $, $$, el, render, setText, show } from "./lib/dom.js";
import { label, t } from "./lib/i18n.js";
import { every } from "./lib/lifecycle.js";
import { page } from "./lib/page.js";
import { connect } from "./lib/socket.js";
import { timerView } from "./lib/timer.js";
import { onPhase, setChime } from "./screen/chime.js";
import { renderResults } from "./screen/results.js";

const root = $("#screen");
const timer = timerView($(".mode-pitch .timer"));
timer.onPhase = onPhase;
const announce = $("#announce");
let lastMode = null;
let lastLive = null;
let current = null;
let interest = {};

const field = (name) => $(`[data-field="${name}"]`, root);

function counts(c) {
  interest = c.interest || {};
  if (c.results && current) {
    current.results = c.results;
    renderResults(root, current, interest);
  }
  for (const n of $$('[data-count="participants"]')) setText(n, String(c.participants));
  for (const n of $$('[data-count="ballots"]')) setText(n, String(c.ballots));
  label($("[data-joined-label]"), c.participants === 1 ? "joined_one" : "joined_many");
  label($("[data-ballots-label]"), c.ballots === 1 ? "ballot_one" : "ballot_many");
}

function pitch(snap) {
  const live = snap.live;
  setText(field("section"), snap.section ? snap.section.title : "");
  if (live) {
    setText(field("pitcher"), live.pitcher);
    setText(field("organisation"), live.organisation ? ` · ${live.organisation}` : "");
    setText(field("title"), live.title);
    setText(field("title_alt"), live.title_alt);
    setText(field("offer"), live.offer);
    setText(field("offer_alt"), live.offer_alt);
    timer.set(snap.timer);
  } else {
    setText(field("pitcher"), "");
    setText(field("organisation"), "");
    label(field("title"), snap.next ? "waiting_first" : "no_pitches_screen");
    setText(field("title_alt"), "");
    setText(field("offer"), "");
    setText(field("offer_alt"), "");
    timer.set(null);
  }
  root.classList.toggle("no-live", !live);
  const next = snap.next
    ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher })
    : "";
  setText(field("next"), next);
}

function commitments(snap) {
  const rows = snap.commitments || [];
  render($("#commitments"), JSON.stringify(rows), () => rows.map(commitment));
  const none = field("no-commitments");
  show(none, !rows.length);
  setText(none, t("no_commitments"));
  const qr = $("#outcome-qr");
  show(qr, !!snap.outcome_url);
  if (snap.outcome_url) {
    const src = `/o/${snap.outcome_url.split("/o/")[1]}/qr.svg`;
    const img = qr.querySelector("img");
    if (img.getAttribute("src") !== src) img.setAttribute("src", src);
  }
}

function commitment(c) {
  const meta = [t(`status_${c.status}`), c.due].filter(Boolean).join(" · ");
  return el(
    "li",
    { class: `commitment status-${c.status}` },
    el("span", { class: "c-title" }, c.title),
    el("span", { class: "c-owners" }, c.owners.join(", ")),
    c.next_step ? el("span", { class: "c-step" }, c.next_step) : null,
    el("span", { class: "c-meta" }, meta),
  );
}

/* Per-pitch rounds: "rate now" while the window after a pitch is open. */
function rateBand() {
  const band = $("#rate-band");
  const r = current?.rate_now;
  const p = r && now() < r.until ? current.votable.find((x) => x.id === r.pitch_id) : null;
  const visible = !!p && current.mode !== "blank" && current.mode !== "results";
  show(band, visible);
  if (visible) setText(band, t("rate_now_screen", { title: p.title }));
}
every(rateBand, 500);

/* The section's title card for its first seconds, and the moderator's message. */
const CARD_MS = 8000;
function overlays() {
  if (!current) return;
  const sec = current.section;
  const card =
    !!sec && !!sec.started_at && current.mode !== "blank" && now() - sec.started_at < CARD_MS;
  show($("#section-card"), card);
  if (card) setText(field("section-card"), sec.title);
  const msg = $("#screen-message");
  const showMsg = !!current.message && current.mode !== "blank";
  show(msg, showMsg);
  root.classList.toggle("has-message", showMsg);
  setText(msg, current.message || "");
}
every(overlays, 500);

function voteHint(snap) {
  if (snap.method === "matrix") return t("matrix_vote_hint");
  if (snap.method === "approval") return t("approval_vote_hint");
  return t("vote_hint", { n: snap.session.dots_per_person });
}

function stage(snap) {
  // The screen is rendered in the session's screen language: follow a change of it.
  if (page.language && snap.session.screen_language !== page.language) {
    location.reload();
    return;
  }
  current = snap;
  setChime(snap.session.chime);
  overlays();
  if (snap.mode !== lastMode) {
    root.dataset.mode = snap.mode;
    if (lastMode !== null) setText(announce, t(`mode_${snap.mode}`));
    lastMode = snap.mode;
  }
  const liveId = snap.live ? snap.live.id : null;
  if (liveId !== lastLive && snap.live) {
    setText(announce, t("now_pitching", { pitcher: snap.live.pitcher, title: snap.live.title }));
  }
  lastLive = liveId;
  if (snap.counts) counts(snap.counts);
  pitch(snap);
  setText(field("vote-hint"), voteHint(snap));
  renderResults(root, snap, interest);
  commitments(snap);
  rateBand();
}

connect("screen", {
  stage,
  counts,
  refused: () => {
    root.dataset.mode = "blank";
  },
});
