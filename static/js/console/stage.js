/* The stage panel: who is live, the timer and its controls, who is next, and the moderator's
 * messages to the screen and to the live pitcher. */
import { $, $$, setText } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { timerView } from "../lib/timer.js";
import { toast } from "../lib/toast.js";

const timer = timerView($(".stage-panel .timer"));

export function renderStage(snap) {
  const live = snap.live;
  const field = (name) => $(`#live [data-field="${name}"]`);
  const who = live ? live.pitcher + (live.organisation ? ` · ${live.organisation}` : "") : "";
  setText(field("pitcher"), who);
  const idle = snap.next ? t("ready_to_start") : t("queue_done");
  setText(field("title"), live ? live.title : idle);
  setText(field("offer"), live ? live.offer : "");
  setText(field("title_alt"), live ? live.title_alt : "");
  // With nobody live, the timer shows the length of the next pitch, ready to start.
  const seconds = snap.next ? snap.next.seconds : snap.session.pitch_seconds;
  timer.set(
    live
      ? snap.timer
      : {
          state: "idle",
          total_ms: snap.session.pitch_seconds * 1000,
          remaining_ms: seconds * 1000,
        },
  );
  const state = live ? snap.timer.state : "idle";
  let primary = live ? t("start") : t("start_first");
  if (state === "running") primary = t("pause");
  else if (state === "paused") primary = t("resume");
  setText($("#btn-primary [data-label]"), primary);
  $("#btn-primary").disabled = !live && !snap.next;
  $("#btn-next").disabled = !live && !snap.next;
  for (const b of $$(".controls.secondary button")) b.disabled = !live;
  const next = snap.next
    ? t("next_is", { title: snap.next.title, pitcher: snap.next.pitcher })
    : t("nobody_next");
  setText($('.stage-panel [data-field="next"]'), next);
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
