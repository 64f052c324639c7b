/* Timers: data from the server (state, ends_at or remaining_ms, total_ms), animated here. */
import { now } from "./clock.js";
import { $, setText } from "./dom.js";
import { t, talt } from "./i18n.js";
import { stopped } from "./lifecycle.js";

export function remaining(timer) {
  if (!timer) return 0;
  return timer.state === "running" ? timer.ends_at - now() : timer.remaining_ms;
}

/* The colour follows time left only once the timer has started: a short pitch that is ready
 * (idle) is not a warning. */
export function phase(timer, left) {
  if (timer.state === "idle") return "normal";
  if (left <= 0) return "overrun";
  if (left <= 10000) return "red";
  if (left <= 30000) return "amber";
  return "normal";
}

/* m:ss. Counts down in whole seconds rounded up (0:01 until the very end), overrun up (+0:05). */
export function fmt(ms) {
  const over = ms < 0;
  const total = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${over ? "+" : ""}${m}:${String(s).padStart(2, "0")}`;
}

const PHASE_LABEL = {
  normal: "timer_normal",
  amber: "timer_amber",
  red: "timer_red",
  overrun: "timer_overrun",
};
const PHASE_ICON = { normal: "", amber: "\u25B2 ", red: "\u25C6 ", overrun: "\u26A0 " };

const views = new Set();

/* A view of one timer: elements found by data attributes inside `root` ([data-timer-digits],
 * [data-timer-label], [data-timer-bar], [data-timer-live]); the root gets data-phase and
 * data-state. `onPhase(phase, previous)`, if set, hears each threshold while it runs. */
export function timerView(root) {
  const view = {
    root,
    timer: null,
    digits: $("[data-timer-digits]", root),
    label: $("[data-timer-label]", root),
    bar: $("[data-timer-bar]", root),
    live: $("[data-timer-live]", root),
    lastPhase: null,
    onPhase: null,
    set(timer) {
      this.timer = timer;
      this.render();
    },
    render() {
      const timer = this.timer;
      if (!timer) return;
      const left = remaining(timer);
      const current = phase(timer, left);
      setText(this.digits, fmt(left));
      let key = PHASE_LABEL[current];
      if (timer.state === "paused") key = "timer_paused";
      else if (timer.state === "idle") key = "timer_ready";
      setText(this.label, (timer.state === "running" ? PHASE_ICON[current] : "") + t(key));
      const alt = talt(key);
      if (alt && this.label.dataset.alt !== alt) this.label.dataset.alt = alt;
      if (this.root.dataset.phase !== current) this.root.dataset.phase = current;
      if (this.root.dataset.state !== timer.state) this.root.dataset.state = timer.state;
      if (this.bar) {
        const done = timer.total_ms > 0 ? 1 - Math.max(0, left) / timer.total_ms : 1;
        this.bar.style.width = `${(Math.min(1, Math.max(0, done)) * 100).toFixed(1)}%`;
      }
      // Screen readers hear thresholds, not every second; listeners (the chime) too.
      if (current !== this.lastPhase && timer.state === "running" && this.lastPhase) {
        if (this.live) setText(this.live, t(PHASE_LABEL[current]));
        if (this.onPhase) this.onPhase(current, this.lastPhase);
      }
      this.lastPhase = current;
    },
  };
  views.add(view);
  return view;
}

function tick() {
  if (stopped()) return;
  for (const view of views) view.render();
  setTimeout(() => requestAnimationFrame(tick), 100);
}
requestAnimationFrame(tick);
