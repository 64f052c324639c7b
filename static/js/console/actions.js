/* The console's actions: one name each, pressed by a button ([data-action]) or by its key.
 * Shortcuts work anywhere except while typing in a field or while a dialog is open; Escape
 * always leaves a field, a submitted form gives focus back to the page, and the header says
 * while shortcuts are paused. */
import { $ } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { ask } from "./confirm.js";
import { undoable } from "./feedback.js";
import { openFit } from "./fit.js";
import { MODES } from "./preview.js";
import { current } from "./state.js";

// What this console saw live: a second console's "next" in between makes ours refused.
const expect = () => {
  const snap = current();
  return { expect: snap?.live ? snap.live.id : 0 };
};

/* Move to a section of the agenda; leaving one ends what is on stage, so that asks first. */
export async function goToSection(section, btn) {
  const snap = current();
  if (snap?.live && snap.section?.id !== section.id) {
    const text = t("confirm_leave_live", { title: snap.live.title, section: section.title });
    if (!(await ask(text, t("confirm_go")))) return { ok: false };
  }
  return send("section:set", { section_id: section.id }, btn);
}

function publishOutcome() {
  $("#publish-form").submit();
}

const actions = {
  /* The main action: whatever moves the session on now (the snapshot's phase). */
  primary(btn) {
    const snap = current();
    if (!snap) return;
    const ph = snap.phase;
    switch (ph.action) {
      case "pause":
        return send("timer:pause", {}, btn);
      case "resume":
        return snap.timer.state === "paused"
          ? send("timer:resume", {}, btn)
          : send("timer:start", expect(), btn);
      case "start":
        return send("timer:start", expect(), btn);
      case "section":
        return goToSection({ id: ph.section_id, title: ph.section_title }, btn);
      case "open_voting":
        return send("voting:open", {}, btn);
      case "close_voting":
        return send("voting:close", {}, btn).then(undoable);
      case "reveal": // one place more, from last place up, as E does
        return send("results:step", {}, btn);
      case "commitments": {
        const box = $("#commitments-box");
        box.open = true;
        box.scrollIntoView({ block: "nearest" });
        return $("#cm-pitch").focus();
      }
      case "publish":
        return publishOutcome();
      default:
        return window.open($("#outcome-link").href, "_blank", "noopener");
    }
  },
  // After the last one the main action says what comes next: no note needed.
  "stage:next": (btn) => send("stage:next", expect(), btn),
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
    goToSection(list[i + 1]);
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

const FIELD = ["INPUT", "TEXTAREA", "SELECT"];
const typing = (node) => !!node && (FIELD.includes(node.tagName) || node.isContentEditable);

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (typing(ev.target)) {
    // Escape always hands the keyboard back to the shortcuts (a dialog's Escape closes it).
    if (ev.key === "Escape" && !document.querySelector("dialog[open]")) {
      ev.preventDefault();
      ev.target.blur();
    }
    return;
  }
  if (document.querySelector("dialog[open]")) return; // a dialog has the keyboard
  const name = KEYS[ev.key.toLowerCase()];
  if (!name) return;
  // Space is always the main action, even on a focused button; Enter still presses the
  // focused button.
  ev.preventDefault();
  if (!current()) return;
  const btn = $(`[data-action="${name}"]`);
  if (name === "stage:next" && btn?.disabled) {
    // N with nobody on stage and nobody waiting: not an error, the main action leads on.
    toast(t("nothing_to_next"), "info");
    return;
  }
  if (btn) {
    btn.classList.add("pressed");
    setTimeout(() => btn.classList.remove("pressed"), 150);
  }
  actions[name](btn);
});

/* While a field has focus, the header says that shortcuts are paused. */
const paused = $("#kbd-paused");
const showPaused = () => {
  const on = typing(document.activeElement) && !document.activeElement.closest("dialog");
  if (paused.dataset.on !== String(on)) paused.dataset.on = String(on);
};
document.addEventListener("focusin", showPaused);
document.addEventListener("focusout", () => setTimeout(showPaused, 0));

/* After any console form is submitted, focus leaves its field: the next key press is a
 * shortcut again, never a letter typed into "Pitcher". It goes to the form's fold ("Add a
 * pitch": one Tab leads back into the form for the next one) or else to its panel. */
document.addEventListener(
  "submit",
  (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.method === "dialog") return;
    if (!form.closest(".console-grid, .console-head")) return;
    if (!form.contains(document.activeElement)) return;
    const fold = form.closest("details")?.querySelector(":scope > summary");
    const panel = form.closest(".panel");
    if (fold) fold.focus({ preventScroll: true });
    else if (panel) {
      panel.tabIndex = -1;
      panel.focus({ preventScroll: true });
    } else document.activeElement.blur();
  },
  true,
);
