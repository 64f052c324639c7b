/* Commitments: quick wins turned into who does what by when. */
import { $, el, render, setText } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { ask } from "./confirm.js";
import { current } from "./state.js";

const form = $("#commitment-form");

function edit(c) {
  form.pitch_id.value = String(c.pitch_id);
  form.owners.value = c.owners.join(", ");
  form.next_step.value = c.next_step;
  form.due.value = c.due;
  form.status.value = c.status;
  form.owners.focus();
}

function item(c) {
  const meta = [c.owners.join(", "), c.next_step, c.due, t(`status_${c.status}`)];
  const remove = async (ev) => {
    const btn = ev.currentTarget;
    if (await ask(t("confirm_remove_commitment", { title: c.title }))) {
      send("commitment:remove", { pitch_id: c.pitch_id }, btn);
    }
  };
  return el(
    "li",
    { class: "commitment" },
    el("span", { class: "c-title" }, c.title),
    el("span", { class: "c-meta" }, meta.filter(Boolean).join(" · ")),
    el(
      "span",
      { class: "row-actions" },
      el("button", { type: "button", class: "link", onclick: () => edit(c) }, t("edit")),
      el(
        "button",
        {
          type: "button",
          class: "link",
          "aria-label": t("remove_title", { title: c.title }),
          onclick: remove,
        },
        t("remove"),
      ),
    ),
  );
}

export function renderCommitments(snap) {
  const rows = snap.commitments;
  setText($("#commitment-count"), rows.length ? `(${rows.length})` : "");
  render($("#commitment-list"), JSON.stringify(rows), () => rows.map(item));
  const chosen = form.pitch_id.value;
  const pitches = snap.results;
  render(form.pitch_id, JSON.stringify(pitches.map((r) => [r.id, r.title, r.rank])), () =>
    pitches.map((r) => el("option", { value: String(r.id) }, `${r.rank}. ${r.title}`)),
  );
  if (chosen) form.pitch_id.value = chosen;
  render($("#people"), JSON.stringify(snap.people), () =>
    snap.people.map((p) => el("option", { value: p.name })),
  );
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  // A name that is a participant's becomes that participant; anything else stays free text.
  const byName = new Map(current().people.map((p) => [p.name.toLowerCase(), p.id]));
  const owner = (name) => {
    const id = byName.get(name.toLowerCase());
    return id !== undefined ? { participant_id: id } : { name };
  };
  const owners = f.owners.value
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map(owner);
  const payload = {
    pitch_id: Number(f.pitch_id.value),
    owners,
    next_step: f.next_step.value.trim(),
    due: f.due.value,
    status: f.status.value,
  };
  const ack = await send("commitment:set", payload, f.querySelector("button"));
  if (ack.ok) {
    f.owners.value = "";
    f.next_step.value = "";
    f.due.value = "";
    toast(t("commitment_saved"), "ok");
  }
});
