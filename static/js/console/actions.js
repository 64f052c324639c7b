/* The console's actions: one name each, pressed by a button ([data-action]) or by its key.
 * Shortcuts work anywhere except while typing in a field or while a dialog is open. */
import { $ } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { undoable } from "./feedback.js";
import { openFit } from "./fit.js";
import { MODES } from "./preview.js";
import { current } from "./state.js";

// What this console saw live: a second console's "next" in between makes ours refused.
const expect = () => {
  const snap = current();
  return { expect: snap?.live ? snap.live.id : 0 };
};

const actions = {
  primary(btn) {
    const snap = current();
    if (!snap) return;
    const state = snap.live ? snap.timer.state : "idle";
    if (state === "running") return send("timer:pause", {}, btn);
    if (state === "paused") return send("timer:resume", {}, btn);
    return send("timer:start", expect(), btn);
  },
  "stage:next": (btn) =>
    send("stage:next", expect(), btn).then((ack) => {
      if (ack.ok && ack.live === null) toast(t("last_pitch_done"), "ok");
    }),
  undo: (btn) =>
    send("undo", {}, btn).then((ack) => {
      if (ack.ok) toast(t("undone", { action: ack.undone }), "ok");
    }),
  help: () => $("#help").showModal(),
  fit: () => openFit(),
  "screen:cycle": () => {
    const i = MODES.indexOf(current().settings.screen_mode);
    send("screen:mode", { mode: MODES[(i + 1) % MODES.length] });
  },
  "section:next": () => {
    const snap = current();
    const list = snap.sections;
    if (!list.length) return toast(t("no_sections"));
    const i = snap.section ? list.findIndex((x) => x.id === snap.section.id) : -1;
    if (i + 1 >= list.length) return toast(t("last_section"));
    send("section:set", { section_id: list[i + 1].id });
  },
  "cue:focus": () => $("#cue-text").focus(),
  "cue:clear": (btn) =>
    Promise.all([
      send("cue:screen", { text: "" }, btn),
      current()?.live ? send("cue:pitcher", { text: "" }) : null,
    ]),
  "timer:plus": (btn) => send("timer:adjust", { seconds: 30 }, btn),
  "timer:minus": (btn) => send("timer:adjust", { seconds: -30 }, btn),
  "timer:reset": (btn) => send("timer:reset", {}, btn).then(undoable),
  "voting:toggle": (btn) =>
    send(current()?.voting === "open" ? "voting:close" : "voting:open", {}, btn).then(undoable),
  // E steps the ranking in from last place, one place a press; once first place is out,
  // it hides the results again.
  "results:toggle": (btn) => {
    const snap = current();
    if (snap?.revealed && (!snap.reveal || snap.reveal.complete))
      return send("results:reveal", { revealed: false }, btn);
    return send("results:step", {}, btn);
  },
  "screen:blank": () =>
    send("screen:mode", { mode: current()?.settings.screen_mode === "blank" ? "auto" : "blank" }),
};

document.addEventListener("click", (ev) => {
  const btn = ev.target.closest("[data-action]");
  if (btn && actions[btn.dataset.action]) actions[btn.dataset.action](btn);
});

const KEYS = {
  " ": "primary",
  n: "stage:next",
  "]": "timer:plus",
  "[": "timer:minus",
  "+": "timer:plus",
  "-": "timer:minus",
  r: "timer:reset",
  v: "voting:toggle",
  e: "results:toggle",
  b: "screen:blank",
  m: "screen:cycle",
  u: "undo",
  "?": "help",
  f: "fit",
  s: "section:next",
  c: "cue:focus",
};

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = ev.target.tagName;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || ev.target.isContentEditable) return;
  if (document.querySelector("dialog[open]")) return; // a dialog has the keyboard
  const name = KEYS[ev.key.toLowerCase()];
  if (!name) return;
  // Space is always the primary action (start / pause / resume), even on a focused button;
  // Enter still presses the focused button.
  ev.preventDefault();
  if (!current()) return;
  const btn = $(`[data-action="${name}"]`);
  if (btn) {
    btn.classList.add("pressed");
    setTimeout(() => btn.classList.remove("pressed"), 150);
  }
  actions[name](btn);
});
