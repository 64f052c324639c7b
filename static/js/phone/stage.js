/* What is on stage, and the one thing this person should know now: they are on, next, or where
 * their pitch is in the queue. Their own pitches, with who wants to follow up on them. */

import { now } from "../lib/clock.js";
import { $, el, render, setText, show } from "../lib/dom.js";
import { ordinal, t } from "../lib/i18n.js";
import { every } from "../lib/lifecycle.js";
import { send } from "../lib/socket.js";
import { remaining, timerView } from "../lib/timer.js";
import { phaseOf, signupOpen } from "./phase.js";
import { mine, state } from "./state.js";

const timer = timerView($("#on-stage .timer"));
const announce = $("#announce");
let lastStatus = "";

export function renderStage() {
  const { snap } = state;
  const live = snap.live;
  const field = (name) => $(`#on-stage [data-field="${name}"]`);
  setText(field("title"), live ? live.title : t("nothing_on_stage"));
  setText(field("title_alt"), live ? live.title_alt : "");
  const who = live ? live.pitcher + (live.organisation ? ` · ${live.organisation}` : "") : "";
  setText(field("pitcher"), who);
  show($("#on-stage .timer"), !!live);
  timer.set(live ? snap.timer : null);
  const next = snap.next
    ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher })
    : "";
  setText($('.stage [data-field="next"]'), next);
}

/* The first of this person's pitches waiting in the lineup, with its place in its own section
 * (talks are counted among talks, pitches among their round). */
function myPlace() {
  const lineup = state.snap.lineup || {};
  const places = (state.me?.pitches || [])
    .filter((p) => lineup[String(p.id)])
    .map((p) => ({ id: p.id, ...lineup[String(p.id)] }));
  places.sort((a, b) => a.place - b.place);
  return places[0] || null;
}

/* When the pitcher's turn is expected, in server milliseconds (the live pitch's time left, then
 * every pitch ahead with its changeover), or null when their section is not the current one. */
export function expectedStart() {
  const { snap } = state;
  const p = myPlace();
  if (!p || p.ahead_ms === null || p.ahead_ms === undefined) return null;
  const left = snap.live ? Math.max(0, remaining(snap.timer)) : 0;
  return now() + left + p.ahead_ms;
}

function myStatus() {
  const { snap, me } = state;
  if (!me?.pitches) return "";
  const own = mine();
  const talk = snap.section?.kind === "talks";
  if (snap.live && own.has(snap.live.id)) return t(talk ? "you_are_on_talk" : "you_are_on");
  const p = myPlace();
  if (p?.place === 1 && snap.next && own.has(snap.next.id)) {
    return t(p.kind === "talks" ? "you_are_next_talk" : "you_are_next");
  }
  if (p) {
    return t(p.kind === "talks" ? "your_place_talk" : "your_place", { place: ordinal(p.place) });
  }
  if (me.pitches.some((x) => x.status === "pending")) return t("your_pitch_pending");
  return "";
}

/* A mail link to exactly this address: all but the @ percent-encoded, so that nothing in it
 * can add recipients, a subject or a body (an address stored by an earlier release). */
function mailto(address) {
  return `mailto:${encodeURIComponent(address).replace(/%40/g, "@")}`;
}

function person(x) {
  return el(
    "li",
    {},
    el("span", { class: "person-name" }, x.name + (x.organisation ? ` · ${x.organisation}` : "")),
    x.email ? el("a", { href: mailto(x.email) }, x.email) : null,
    x.phone ? el("a", { href: `tel:${x.phone.replace(/[^0-9+]/g, "")}` }, x.phone) : null,
  );
}

function myPitch(p) {
  const n = p.interested.length;
  const count = n ? t(n === 1 ? "interested_one" : "interested_many", { n }) : t("interested_none");
  const withdraw = (ev) => send("pitch:withdraw", { pitch_id: p.id }, ev.currentTarget);
  return el(
    "li",
    { class: "my-pitch" },
    el("span", { class: "mp-title" }, p.title),
    el("span", { class: `badge status-${p.status}` }, t(`status_${p.status}`)),
    p.status === "pending" || p.status === "queued"
      ? el("button", { type: "button", class: "link", onclick: withdraw }, t("withdraw"))
      : null,
    p.status === "pending"
      ? null
      : el(
          "div",
          { class: "interested" },
          el("p", { class: "interested-count" }, count),
          el("ul", { class: "people" }, p.interested.map(person)),
        ),
  );
}

let buzzedFor = null;

/* The waiting area: where the pitch stands, "on in about 4 min" counting down, the check-in. */
function renderWaiting(status) {
  const { snap } = state;
  const box = $("#my-status");
  setText(box, status);
  const liveMine = snap.live && mine().has(snap.live.id);
  let kind = "";
  if (liveMine) kind = "on";
  else if (snap.next && mine().has(snap.next.id)) kind = "next";
  box.dataset.kind = kind;
  const at = liveMine ? null : expectedStart();
  const onIn = $("#on-in");
  const left = at === null ? null : at - now();
  show(onIn, left !== null);
  if (left !== null) {
    const minutes = Math.max(1, Math.round(left / 60000));
    setText(onIn, left < 60_000 ? t("on_in_a_minute") : t("on_in_minutes", { n: minutes }));
    const soon = left <= 60_000;
    $("#waiting").classList.toggle("soon", soon);
    // One buzz a minute before (where the phone can vibrate), and the card turns amber.
    const p = myPlace();
    if (soon && p && buzzedFor !== p.id && snap.timer?.state === "running") {
      buzzedFor = p.id;
      if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
      setText(announce, t("on_in_a_minute"));
    }
  } else $("#waiting").classList.remove("soon");
  const p = myPlace();
  const ready = $("#ready");
  const pitch = p && snap.queue.find((x) => x.id === p.id);
  show(ready, !!pitch && p.ahead_ms !== null);
  if (pitch) {
    const on = !!pitch.ready;
    ready.classList.toggle("on", on);
    ready.setAttribute("aria-pressed", on ? "true" : "false");
    ready.dataset.pitch = String(pitch.id);
    setText(ready, on ? t("ready_checked_in") : t("ready_check_in"));
  }
  show($("#waiting"), !!status);
}

$("#ready").addEventListener("click", (ev) => {
  const button = ev.currentTarget;
  const on = button.getAttribute("aria-pressed") !== "true";
  send("pitch:ready", { pitch_id: Number(button.dataset.pitch), ready: on }, button);
});

export function renderMine() {
  const { snap, me } = state;
  const mineLive = !!(me && snap.live && me.pitches.some((p) => p.id === snap.live.id));
  // The pitcher's own phone becomes a confidence monitor: a big countdown and the cues.
  $(".stage").classList.toggle("monitor", mineLive);
  const cue = $("#cue");
  show(cue, mineLive && !!me.cue);
  setText(cue, me?.cue ? `${t("moderator_says")}: ${me.cue}` : "");
  const status = myStatus();
  renderWaiting(status);
  if (status !== lastStatus && status) {
    setText(announce, status);
    if ($("#my-status").dataset.kind === "next" && navigator.vibrate) {
      navigator.vibrate([200, 100, 200]);
    }
  }
  lastStatus = status;
  const pitches = me?.pitches || [];
  render($("#my-pitches"), JSON.stringify(pitches), () => pitches.map(myPitch));
  // The form is offered until voting starts; after that the card shows only this person's own
  // pitches (and who wants to follow up on them), if they have any.
  const signup = signupOpen(phaseOf(snap, me));
  show($("#propose-form"), signup);
  show($("#mine"), signup || pitches.length > 0);
  setText($("#mine-heading"), signup ? t("pitch_a_quick_win") : t("your_pitches"));
}

/* The countdown to the pitcher's turn moves with the clock, not only with the stage. */
every(() => {
  if (state.snap && state.me) renderWaiting(myStatus());
}, 1000);
