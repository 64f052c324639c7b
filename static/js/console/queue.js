/* The queue panel: pending requests, the queue with its cut line, editing a pitch in place,
 * reordering by drag or by the arrow buttons, and adding a pitch. */
import { $, $$, el, render, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { page } from "../lib/page.js";
import { send } from "../lib/socket.js";
import { fmt } from "../lib/timer.js";
import { toast } from "../lib/toast.js";
import { undoable } from "./feedback.js";
import { renderFit } from "./fit.js";
import { current } from "./state.js";

// A pitch's length has the bounds of the pitch length setting.
const LENGTH = (page.settings || []).find((s) => s.name === "pitch_seconds") || {};
let editing = null; // id of the pitch whose row is an edit form

function clockTime(ms) {
  return new Date(ms).toLocaleTimeString(document.documentElement.lang, {
    hour: "2-digit",
    minute: "2-digit",
  });
}

function minutes(seconds) {
  return seconds % 60 ? fmt(seconds * 1000) : t("minutes", { n: seconds / 60 });
}

function rowButtons(p, index, count) {
  const sending = (event, payload) => (ev) => send(event, payload, ev.currentTarget);
  const undoing = (event, payload) => (ev) => send(event, payload, ev.currentTarget).then(undoable);
  const button = (props, text) => el("button", { type: "button", ...props }, text);
  const fk = (name) => ({ fkey: `${name}-${p.id}` });
  const id = { pitch_id: p.id };
  const buttons = [];
  if (p.status === "pending") {
    const accept = sending("pitch:accept", id);
    buttons.push(button({ class: "primary", dataset: fk("accept"), onclick: accept }, t("accept")));
  } else {
    buttons.push(
      button(
        {
          class: "icon",
          dataset: fk("up"),
          "aria-label": t("move_up", { title: p.title }),
          disabled: index === 0,
          onclick: sending("pitch:move", { ...id, index: index - 1 }),
        },
        "\u2191",
      ),
      button(
        {
          class: "icon",
          dataset: fk("down"),
          "aria-label": t("move_down", { title: p.title }),
          disabled: index === count - 1,
          onclick: sending("pitch:move", { ...id, index: index + 1 }),
        },
        "\u2193",
      ),
    );
    const mark = (status, how) => ({ onclick: how("pitch:mark", { ...id, status }) });
    if (p.status === "queued") buttons.push(button(mark("skipped", undoing), t("skip")));
    if (p.status === "live") buttons.push(button(mark("done", sending), t("mark_done")));
    if (p.status === "done" || p.status === "skipped") {
      buttons.push(button(mark("queued", sending), t("requeue")));
    }
  }
  const edit = () => {
    editing = p.id;
    renderQueue();
  };
  buttons.push(button({ dataset: fk("edit"), onclick: edit }, t("edit")));
  // The one on stage is never removed by a slip: it ends with Next or Done first.
  if (p.status !== "live") {
    buttons.push(
      button(
        {
          class: "danger",
          "aria-label": t("remove_title", { title: p.title }),
          onclick: undoing("pitch:remove", id),
        },
        t("remove"),
      ),
    );
  }
  return el("span", { class: "row-actions" }, buttons);
}

function editForm(p) {
  const field = (name, label, value, attrs) => {
    const long = name.startsWith("offer");
    return [
      el("label", { for: `e-${name}` }, label),
      el(long ? "textarea" : "input", { id: `e-${name}`, name, ...attrs }, long ? value : null),
    ];
  };
  const stop = () => {
    editing = null;
    renderQueue();
  };
  const form = el(
    "form",
    { class: "stack edit-form", novalidate: true },
    field("pitcher", t("pitcher"), "", { maxlength: 60, value: p.pitcher }),
    field("organisation", t("organisation"), "", { maxlength: 80, value: p.organisation }),
    field("title", t("title"), "", { maxlength: 80, value: p.title }),
    field("offer", t("offer"), p.offer, { maxlength: 280, rows: 2 }),
    field("title_alt", t("title_alt"), "", { maxlength: 80, value: p.title_alt }),
    field("offer_alt", t("offer_alt"), p.offer_alt, { maxlength: 280, rows: 2 }),
    field("seconds", t("length_seconds"), "", {
      type: "number",
      min: LENGTH.lo,
      max: LENGTH.hi,
      step: LENGTH.step,
      value: p.seconds,
    }),
    el(
      "span",
      { class: "row-actions" },
      el("button", { type: "submit", class: "primary" }, t("save")),
      el("button", { type: "button", onclick: stop }, t("cancel")),
    ),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const payload = {
      pitch_id: p.id,
      pitcher: form.pitcher.value,
      organisation: form.organisation.value,
      title: form.title.value,
      offer: form.offer.value,
      title_alt: form.title_alt.value,
      offer_alt: form.offer_alt.value,
      seconds: form.seconds.value === "" ? null : Number(form.seconds.value),
    };
    const ack = await send("pitch:edit", payload, form.querySelector("[type=submit]"));
    if (ack.ok) stop();
  });
  return form;
}

function row(p, index, count) {
  if (editing === p.id) return el("li", { class: "row editing" }, editForm(p));
  const who = p.pitcher + (p.organisation ? ` · ${p.organisation}` : "");
  const at = current()?.schedule.starts?.[p.id];
  const when = at && p.status === "queued" ? ` · ${t("starts_at", { time: clockTime(at) })}` : "";
  const meta = `${who} · ${minutes(p.seconds)}${when}`;
  return el(
    "li",
    {
      class: `row status-${p.status}`,
      draggable: p.status !== "pending" ? "true" : null,
      dataset: { id: p.id, index },
    },
    el("span", { class: "grip", "aria-hidden": "true" }, "\u2630"),
    el(
      "span",
      { class: "row-main" },
      el("span", { class: "row-title" }, p.title),
      el("span", { class: "row-meta" }, meta),
    ),
    el("span", { class: `badge status-${p.status}` }, t(`status_${p.status}`)),
    p.ready && p.status === "queued"
      ? el("span", { class: "badge ready", title: t("pitcher_ready_hint") }, t("pitcher_ready"))
      : null,
    rowButtons(p, index, count),
  );
}

export function renderQueue() {
  const snap = current();
  if (!snap) return;
  const list = snap.queue;
  const fit = snap.schedule.fit;
  const waiting = snap.schedule.waiting;
  // The cut line: where the waiting pitches stop fitting into the section's time left.
  const out = fit && !fit.fits ? waiting.slice(fit.fitting) : [];
  const cutLine = () => {
    const text = t(out.length === 1 ? "cut_line_one" : "cut_line", { n: out.length });
    return el("li", { class: "cut-line" }, text);
  };
  // Expected start times change with the clock: rows are rebuilt when a minute changes.
  const starts = waiting.map((id) => Math.floor((snap.schedule.starts?.[id] || 0) / 60000));
  render($("#queue"), JSON.stringify([list, editing, out, starts]), () =>
    list.flatMap((p, i) => {
      const r = row(p, i, list.length);
      if (!out.includes(p.id)) return [r];
      r.classList.add("below-cut");
      return p.id === out[0] ? [cutLine(), r] : [r];
    }),
  );
  show($("#queue-empty"), list.length === 0 && snap.pending.length === 0);
  setText($("#queue-count"), t("waiting_count", { n: waiting.length }));
  renderFit(snap);
  show($("#pending"), snap.pending.length > 0);
  render($("#pending-list"), JSON.stringify([snap.pending, editing]), () =>
    snap.pending.map((p, i) => row(p, i, snap.pending.length)),
  );
}

// Drag to reorder (the arrow buttons do the same by keyboard).
let dragId = null;
const queueEl = $("#queue");
queueEl.addEventListener("dragstart", (ev) => {
  const li = ev.target.closest("li[data-id]");
  if (!li) return;
  dragId = Number(li.dataset.id);
  ev.dataTransfer.effectAllowed = "move";
  li.classList.add("dragging");
});
queueEl.addEventListener("dragover", (ev) => {
  if (dragId !== null) ev.preventDefault();
});
queueEl.addEventListener("drop", (ev) => {
  ev.preventDefault();
  const li = ev.target.closest("li[data-id]");
  if (li && dragId !== null && Number(li.dataset.id) !== dragId) {
    send("pitch:move", { pitch_id: dragId, index: Number(li.dataset.index) });
  }
  dragId = null;
});
queueEl.addEventListener("dragend", () => {
  dragId = null;
  for (const n of $$(".dragging")) n.classList.remove("dragging");
});

$("#add-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const payload = {
    pitcher: f.pitcher.value,
    organisation: f.organisation.value,
    title: f.title.value,
    offer: f.offer.value,
    title_alt: f.title_alt.value,
    offer_alt: f.offer_alt.value,
  };
  if (f.seconds.value !== "") payload.seconds = Number(f.seconds.value);
  const ack = await send("pitch:add", payload, f.querySelector("button"));
  if (ack.ok) {
    f.reset();
    toast(t("pitch_added"), "ok");
  }
});
