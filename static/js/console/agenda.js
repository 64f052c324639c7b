/* The agenda: its sections (start one, edit one in place, remove one), the planned start and
 * end of the session, and a new section. */
import { $, el, render } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { fmt } from "../lib/timer.js";
import { toast } from "../lib/toast.js";
import { goToSection } from "./actions.js";
import { ask } from "./confirm.js";
import { current } from "./state.js";

let editing = null; // id of the section whose row is an edit form

function editForm(x) {
  const stop = () => {
    editing = null;
    renderSections(current());
  };
  const form = el(
    "form",
    { class: "stack edit-form" },
    el("label", { for: "es-title" }, t("title")),
    el("input", { id: "es-title", name: "title", value: x.title, maxlength: 120 }),
    el("label", { for: "es-minutes" }, t("minutes_label")),
    el("input", {
      id: "es-minutes",
      name: "minutes",
      type: "number",
      min: 1,
      max: 600,
      value: x.minutes,
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
      section_id: x.id,
      title: form.title.value,
      minutes: Number(form.minutes.value),
    };
    const ack = await send("section:edit", payload, form.querySelector("[type=submit]"));
    if (ack.ok) stop();
  });
  return el("li", { class: "section-row editing" }, form);
}

function sectionRow(x, now) {
  let status = "";
  if (now) status = t("section_now");
  else if (x.ended_at) status = t("section_done", { time: fmt(x.ended_at - x.started_at) });
  const meta = [t(`kind_${x.kind}`), t("minutes", { n: x.minutes }), status].filter(Boolean);
  const id = { section_id: x.id };
  const edit = () => {
    editing = x.id;
    renderSections(current());
  };
  return el(
    "li",
    { class: `section-row${now ? " current" : ""}` },
    el(
      "span",
      { class: "sec-main" },
      el("span", { class: "sec-title" }, x.title),
      el("span", { class: "sec-meta" }, meta.join(" · ")),
    ),
    el(
      "span",
      { class: "row-actions" },
      now
        ? null
        : el(
            "button",
            { type: "button", onclick: (ev) => goToSection(x, ev.currentTarget) },
            t("go_to_section"),
          ),
      el("button", { type: "button", onclick: edit }, t("edit")),
      now
        ? null
        : el(
            "button",
            {
              type: "button",
              class: "danger",
              "aria-label": t("remove_title", { title: x.title }),
              onclick: async (ev) => {
                const btn = ev.currentTarget;
                if (await ask(t("confirm_remove_section", { title: x.title }))) {
                  send("section:remove", id, btn);
                }
              },
            },
            t("remove"),
          ),
    ),
  );
}

function timeOfDay(ms) {
  if (!ms) return "";
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

export function renderSections(snap) {
  const list = snap.sections;
  const currentId = snap.section ? snap.section.id : null;
  render($("#sections"), JSON.stringify([list, currentId, editing]), () =>
    list.length
      ? list.map((x) => (editing === x.id ? editForm(x) : sectionRow(x, x.id === currentId)))
      : [el("li", { class: "empty" }, t("no_agenda"))],
  );
  const form = $("#times-form");
  if (!form.contains(document.activeElement)) {
    form.start.value = timeOfDay(snap.schedule.planned_start);
    form.end.value = timeOfDay(snap.schedule.planned_end);
  }
}

$("#times-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const times = { start: f.start.value, end: f.end.value };
  const ack = await send("agenda:times", times, f.querySelector("button"));
  if (ack.ok) toast(t("saved"), "ok");
});

$("#section-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const section = { title: f.title.value, kind: f.kind.value, minutes: Number(f.minutes.value) };
  const ack = await send("section:add", section, f.querySelector("button"));
  if (ack.ok) {
    f.title.value = "";
    toast(t("saved"), "ok");
  }
});
