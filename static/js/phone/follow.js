/* After the pitches: the ones this person wants to follow up on, the contact details they
 * choose to share, the link to the outcome, and deleting themselves from the session. */
import { $, el, render, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { followOpen, phaseOf } from "./phase.js";
import { mine, state } from "./state.js";

function followItem(p, on) {
  return el(
    "li",
    { class: `follow-item${on ? " on" : ""}` },
    el(
      "span",
      { class: "fi-text" },
      el("span", { class: "bi-title" }, p.title),
      el("span", { class: "bi-pitcher" }, p.pitcher),
    ),
    el(
      "button",
      {
        type: "button",
        class: `follow${on ? " on" : ""}`,
        "aria-pressed": on ? "true" : "false",
        "aria-label": `${on ? t("following") : t("follow")}: ${p.title}`,
        onclick: (ev) => send("interest:set", { pitch_id: p.id, on: !on }, ev.currentTarget),
      },
      on ? t("following") : t("follow"),
    ),
  );
}

export function renderFollow() {
  const { snap, me } = state;
  const own = mine();
  const list = snap.votable.filter((p) => !own.has(p.id));
  show($("#follow"), list.length > 0 && followOpen(snap, phaseOf(snap, me)));
  const following = new Set(me?.following || []);
  const key = JSON.stringify([list.map((p) => [p.id, p.title, p.pitcher]), [...following]]);
  render($("#follow-list"), key, () => list.map((p) => followItem(p, following.has(p.id))));
  const outcome = $("#outcome-link");
  show(outcome, !!snap.outcome_url);
  if (snap.outcome_url) outcome.querySelector("a").href = snap.outcome_url;
}

const form = $("#contact-form");

export function renderContact() {
  const { me } = state;
  if (!me?.participant) return;
  const p = me.participant;
  const contact = [p.email, p.phone].filter(Boolean).join(" · ");
  setText(
    $("#contact-now"),
    p.consent ? t("contact_shared", { contact }) : t("contact_not_shared"),
  );
  show($("#contact-remove"), p.consent);
  if (!form.contains(document.activeElement)) {
    form.email.value = p.email;
    form.phone.value = p.phone;
    form.consent.checked = p.consent;
  }
}

async function saveContact(payload, button, done) {
  const error = $("#contact-error");
  const ack = await send("contact:set", payload, button);
  show(error, !ack.ok);
  setText(error, ack.ok ? "" : ack.message || t("refused"));
  if (ack.ok) toast(done, "ok");
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const payload = {
    email: form.email.value.trim(),
    phone: form.phone.value.trim(),
    consent: form.consent.checked,
  };
  saveContact(payload, form.querySelector("button[type=submit]"), t("contact_saved"));
});
$("#contact-remove").addEventListener("click", (ev) => {
  saveContact({ consent: false }, ev.currentTarget, t("contact_removed"));
});
