/* The projector screen: read-only, one message at a time. The results and the chime are modules
 * of screen/; this one follows the stage. */
import { now } from "./lib/clock.js";
import { $, $$, el, setText, show } from "./lib/dom.js";
import { label, t } from "./lib/i18n.js";
import { every } from "./lib/lifecycle.js";
import { page } from "./lib/page.js";
import { connect } from "./lib/socket.js";
import { timerView } from "./lib/timer.js";
import { onPhase, setChime } from "./screen/chime.js";
import { fitList, pager } from "./screen/fit.js";
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
  fitPitch();
  const next = snap.next
    ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher })
    : "";
  setText(field("next"), next);
}

let commitmentsKey = "";
const commitmentPages = pager($("#commitments"), (i, n) => {
  const note = field("commitments-page");
  setText(note, n > 1 ? t("page_of", { n: String(i + 1), of: String(n) }) : "");
});
function commitments(snap) {
  const rows = snap.commitments || [];
  const key = JSON.stringify([
    rows,
    snap.mode,
    !!snap.outcome_url,
    root.classList.contains("has-message"),
    window.innerWidth,
    window.innerHeight,
  ]);
  if (key !== commitmentsKey) {
    commitmentsKey = key;
    // The outcome QR takes its room first, then the list is fitted beside it.
    show($("#outcome-qr"), !!snap.outcome_url);
    const items = rows.map(commitment);
    if (snap.mode === "commitments") {
      commitmentPages.set(
        fitList($("#commitments-frame"), $("#commitments"), items, ".c-title"),
        9000,
      );
    } else $("#commitments").replaceChildren(...items);
  }
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

/* The stage at the largest scale at which the longest title, offer and next line fit above
 * and beside the timer (the page must never scroll). */
function fitPitch() {
  const mode = $(".mode-pitch");
  if (root.dataset.mode !== "pitch") return;
  // The timer gives way first: the offer line stays large for the back row.
  const steps = [
    [1, 1],
    [0.8, 1],
    [0.65, 1],
    [0.55, 0.88],
    [0.5, 0.76],
    [0.45, 0.66],
    [0.4, 0.57],
    [0.35, 0.5],
  ];
  for (const [timer, text] of steps) {
    mode.style.setProperty("--pt", String(timer));
    mode.style.setProperty("--pk", String(text));
    if (mode.scrollHeight <= mode.clientHeight + 1) return;
  }
}
window.addEventListener("resize", fitPitch);

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

/* The section's title card for its first seconds (the server says until when: the console
 * can dismiss it, and it never covers a mode chosen by hand), and the moderator's message. */
let overlaysSize = "";
function overlays(resized = false) {
  if (!current) return;
  const size = `${window.innerWidth}x${window.innerHeight}`;
  const refit = resized === true || size !== overlaysSize;
  overlaysSize = size;
  const sec = current.section;
  const card =
    !!sec && !!current.card_until && current.mode !== "blank" && now() < current.card_until;
  const cardNode = $("#section-card");
  const wasShown = !cardNode.hidden;
  show(cardNode, card);
  root.classList.toggle("card-on", card);
  if (card) {
    setText(field("section-card"), sec.title);
    if (!wasShown || refit) shrink(field("section-card"), [11, 9, 7.5, 6, 5, 4], cardNode, 0.8);
  }
  const msg = $("#screen-message");
  const showMsg = !!current.message && current.mode !== "blank";
  show(msg, showMsg);
  root.classList.toggle("has-message", showMsg);
  if (msg.textContent !== (current.message || "") || refit) {
    setText(msg, current.message || "");
    if (showMsg) shrink(msg, [6, 5, 4.2, 3.6, 3.1, 2.7], msg, 1, window.innerHeight * 0.21);
  }
  if (showMsg) root.style.setProperty("--msg-h", `${msg.offsetHeight}px`);
  if (refit) fitPitch();
  fitLobby();
}
every(overlays, 500);

/* The lobby as large as fits: scaled down as a whole (--ls) until the title and the join
 * block are inside the screen (a long title, or both languages, on a 4:3 projector). */
let lobbyKey = "";
function fitLobby() {
  const lobby = $(".mode-lobby");
  if (!lobby || lobby.offsetParent === null) return;
  const key = `${window.innerWidth}x${window.innerHeight} ${lobby.textContent}`;
  if (key === lobbyKey) return;
  lobbyKey = key;
  const inside = () => {
    const box = lobby.getBoundingClientRect();
    return [...lobby.children].every((n) => {
      const r = n.getBoundingClientRect();
      return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
  };
  for (const scale of [1, 0.92, 0.84, 0.76, 0.68, 0.6, 0.52]) {
    lobby.style.setProperty("--ls", String(scale));
    if (inside()) return;
  }
}

/* The largest of `sizes` (vh) at which `node`'s text fits `box` (its width, and at most
 * `share` of the screen's height or `maxPx`). */
function shrink(node, sizes, box, share, maxPx) {
  const limit = maxPx || window.innerHeight * share;
  for (const size of sizes) {
    node.style.fontSize = `${size}vh`;
    if (node.scrollHeight <= limit && node.scrollWidth <= box.clientWidth + 1) return;
  }
}

/* While voting: a numbered recap of the pitches, so the back row remembers which was which. */
const recapPages = pager($("#recap-list"), (i, n) => {
  const note = field("recap-page");
  setText(note, n > 1 ? t("page_of", { n: String(i + 1), of: String(n) }) : "");
});
let recapKey = "";
function recap(snap) {
  const list = snap.votable || [];
  const visible = snap.mode === "voting" && list.length > 0;
  const key = JSON.stringify([
    visible,
    list.map((p) => [p.id, p.title, p.pitcher]),
    root.classList.contains("has-message"),
    window.innerWidth,
    window.innerHeight,
  ]);
  if (key === recapKey) return;
  recapKey = key;
  show($("#recap"), visible);
  $(".mode-voting").classList.toggle("with-recap", visible);
  if (!visible) return;
  const items = list.map((p, i) =>
    el(
      "li",
      { "data-pitch": p.id },
      el("span", { class: "rc-num" }, String(i + 1)),
      el(
        "span",
        { class: "rc-what" },
        el("span", { class: "rc-title" }, p.title),
        el("span", { class: "rc-pitcher" }, p.pitcher),
      ),
    ),
  );
  recapPages.set(fitList($("#recap-frame"), $("#recap-list"), items, ".rc-title"), 9000);
}
/* A font that arrives late (the Chinese glyphs) changes every measure: fit again. */
document.fonts?.addEventListener("loadingdone", () => {
  recapKey = commitmentsKey = lobbyKey = "";
  window.dispatchEvent(new Event("resize"));
});
window.addEventListener("resize", () => {
  if (!current) return;
  recap(current);
  commitments(current);
  overlays(true);
});

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
  recap(snap);
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
