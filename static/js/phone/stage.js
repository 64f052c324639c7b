/* What is on stage, and the one thing this person should know now: they are on, next, or where
 * their pitch is in the queue. Their own pitches, with who wants to follow up on them. */
import { $, el, render, setText, show } from "../lib/dom.js";
import { ordinal, t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { timerView } from "../lib/timer.js";
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

function myStatus() {
  const { snap, me } = state;
  if (!me?.pitches) return "";
  const own = mine();
  if (snap.live && own.has(snap.live.id)) return t("you_are_on");
  if (snap.next && own.has(snap.next.id)) return t("you_are_next");
  const waiting = snap.queue.filter((p) => p.status === "queued");
  const place = waiting.findIndex((p) => own.has(p.id));
  if (place >= 0) return t("your_place", { place: ordinal(place + 1) });
  if (me.pitches.some((p) => p.status === "pending")) return t("your_pitch_pending");
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

export function renderMine() {
  const { snap, me } = state;
  const mineLive = !!(me && snap.live && me.pitches.some((p) => p.id === snap.live.id));
  // The pitcher's own phone becomes a confidence monitor: a big countdown and the cues.
  $(".stage").classList.toggle("monitor", mineLive);
  const cue = $("#cue");
  show(cue, mineLive && !!me.cue);
  setText(cue, me?.cue ? `${t("moderator_says")}: ${me.cue}` : "");
  const status = myStatus();
  const box = $("#my-status");
  show(box, !!status);
  setText(box, status);
  let kind = "";
  if (status === t("you_are_on")) kind = "on";
  else if (status === t("you_are_next")) kind = "next";
  box.dataset.kind = kind;
  if (status !== lastStatus && status) {
    setText(announce, status);
    if (status === t("you_are_next") && navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }
  lastStatus = status;
  const pitches = me?.pitches || [];
  render($("#my-pitches"), JSON.stringify(pitches), () => pitches.map(myPitch));
}
