/* The stage panel: the main action (it follows the phase of the session: domain/phase.py),
 * who is live, the timer and its controls, the run of show (now, next, after next) and the
 * moderator's messages to the screen and to the live pitcher. */
import { $, $$, el, render, setText } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { timerView } from "../lib/timer.js";
import { toast } from "../lib/toast.js";

const timer = timerView($(".stage-panel .timer"));

/* The main action's words: [what the button does, what it acts on]. */
export function mainLabel(snap, ph = snap.phase) {
  switch (ph.action) {
    case "pause":
      return [t("pause"), snap.live.title];
    case "resume":
      return [snap.timer.state === "idle" ? t("start") : t("resume"), snap.live.title];
    case "start":
      return [t(`main_start_${ph.kind}`), snap.next ? snap.next.title : ""];
    case "section":
      return [t(`main_section_${ph.section_kind}`), ph.section_title];
    case "open_voting":
      return [t("open_voting"), ""];
    case "close_voting":
      return [t("close_voting"), ""];
    case "reveal": {
      const step = snap.revealed && snap.reveal && !snap.reveal.complete ? snap.reveal : null;
      if (!step) return [t("reveal_results"), ""];
      return [t("reveal_next", { n: String(step.places + 1), of: String(step.of) }), ""];
    }
    default:
      return [t(`main_${ph.action}`), ""];
  }
}

/* What the stage says while nobody is on it. */
function headline(snap) {
  const ph = snap.phase;
  if (ph.action === "start") return t(`ready_${ph.kind}`);
  if (ph.action === "section") return t("headline_section", { title: ph.section_title });
  if (
    ["open_voting", "close_voting", "reveal", "commitments", "publish", "done"].includes(ph.action)
  )
    return t(`headline_${ph.action}`);
  return t("headline_empty");
}

function clockTime(ms) {
  return new Date(ms).toLocaleTimeString(document.documentElement.lang, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

/* The run of show: now, next, after next, with the expected start of each waiting item and
 * where the stage is in its section ("Pitch 3 of 8"). */
function renderRunOfShow(snap) {
  const ph = snap.phase;
  const waiting = snap.schedule.waiting
    .map((id) => snap.queue.find((p) => p.id === id))
    .filter(Boolean);
  const starts = snap.schedule.starts || {};
  const item = (slot, title, sub, when) =>
    el(
      "li",
      { class: `ros-item ros-${slot}` },
      el("span", { class: "ros-slot" }, t(`ros_${slot}`)),
      el("span", { class: "ros-title" }, title),
      sub || when
        ? el("span", { class: "ros-sub" }, [sub, when].filter(Boolean).join(" · "))
        : null,
    );
  const items = [];
  if (snap.live) items.push(item("now", snap.live.title, snap.live.pitcher, ""));
  else items.push(item("now", snap.section ? snap.section.title : t("ros_nothing"), "", ""));
  const upcoming = waiting.slice(0, 2).map((p) => [p.title, p.pitcher, starts[p.id]]);
  // Once the queue runs out: the next step of the session.
  if (upcoming.length < 2 && !waiting.length) {
    const [label, what] = mainLabel(snap, ph.then);
    upcoming.push([what ? `${label}: ${what}` : label, "", null]);
  }
  const slots = ["next", "after"];
  upcoming.slice(0, 2).forEach(([title, sub, at], i) => {
    items.push(item(slots[i], title, sub, at ? t("starts_at", { time: clockTime(at) }) : ""));
  });
  const key = JSON.stringify([items.map((x) => x.textContent)]);
  render($("#run-of-show"), key, () => items);
  const position = ph.total
    ? t(`position_${ph.kind}`, { n: ph.number || ph.total, total: ph.total })
    : "";
  // Before the agenda starts, the whole queue is not yet anyone's "1 of n".
  const started = snap.section || !snap.sections.length;
  setText($("#ros-position"), ph.number && started ? position : "");
}

export function renderStage(snap) {
  const live = snap.live;
  const ph = snap.phase;
  const field = (name) => $(`#live [data-field="${name}"]`);
  const who = live ? live.pitcher + (live.organisation ? ` · ${live.organisation}` : "") : "";
  setText(field("pitcher"), who);
  setText(field("title"), live ? live.title : headline(snap));
  setText(field("offer"), live ? live.offer : "");
  setText(field("title_alt"), live ? live.title_alt : "");
  // With nobody live, the timer shows the length of the next item, ready to start (a full
  // bar, the normal colour: the warning colours follow time left only once it runs).
  const seconds = snap.next ? snap.next.seconds : snap.session.pitch_seconds;
  timer.set(
    live ? snap.timer : { state: "idle", total_ms: seconds * 1000, remaining_ms: seconds * 1000 },
  );
  // The timer is there while something is on stage or ready to start, not while the room
  // votes or moves to another part of the agenda.
  $("#timer-wrap").hidden = !live && ph.action !== "start";
  const [label, what] = mainLabel(snap);
  const main = $("#btn-primary");
  setText($("#btn-primary [data-label]"), label);
  setText($("#btn-primary [data-what]"), what);
  main.dataset.phase = ph.action;
  main.disabled = ph.action === "start" && !snap.next;
  const next = $("#btn-next");
  const words = ph.kind === "talks" ? ["next_talk", "end_talk"] : ["next_pitch", "end_pitch"];
  setText($("#btn-next [data-label]"), t(live && ph.last_item ? words[1] : words[0]));
  next.disabled = !live && !snap.next;
  for (const b of $$(".controls.secondary button")) b.disabled = !live;
  renderRunOfShow(snap);
}

export function renderCues(snap) {
  const parts = [];
  if (snap.message) parts.push(t("cue_on_screen", { text: snap.message }));
  if (snap.pitcher_message) parts.push(t("cue_on_phone", { text: snap.pitcher_message }));
  setText($("#cue-now"), parts.join(" · "));
  $("#cue-form").querySelector('[value="pitcher"]').disabled = !snap.live;
}

const cueForm = $("#cue-form");
cueForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const target = ev.submitter && ev.submitter.value === "pitcher" ? "pitcher" : "screen";
  const text = cueForm.text.value.trim();
  if (!text) {
    toast(t("cue_empty"));
    return;
  }
  const ack = await send(`cue:${target}`, { text }, ev.submitter);
  if (ack.ok) {
    cueForm.text.value = "";
    toast(t("cue_sent"), "ok");
  }
});
cueForm.addEventListener("click", (ev) => {
  const quick = ev.target.closest("[data-cue]");
  if (!quick) return;
  cueForm.text.value = quick.dataset.cue;
  cueForm.text.focus();
});
