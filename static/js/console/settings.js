/* The settings form. Which settings there are, and of which kind, comes from their declaration
 * (facilitator/domain/settings.py) in the page data; the template renders their fields. */
import { $ } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { page } from "../lib/page.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { current } from "./state.js";

const SETTINGS = page.settings || [];
const form = $("#settings-form");

function read(setting) {
  const field = form.elements[setting.name];
  if (setting.kind === "bool") return field.checked;
  if (setting.kind === "int") return Number(field.value);
  return field.value;
}

/* Fill the form from the snapshot, unless the moderator is typing in it. */
export function renderSettings(snap) {
  if (form.contains(document.activeElement)) return;
  for (const s of SETTINGS) {
    const field = form.elements[s.name];
    if (s.kind === "bool") field.checked = snap.settings[s.name];
    else field.value = snap.settings[s.name];
  }
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const saved = current().settings;
  const payload = {};
  for (const s of SETTINGS) {
    const value = read(s);
    // Ballots lock some settings (the voting method): sent only when changed, never as is.
    if (s.locked_by_votes && value === saved[s.name]) continue;
    payload[s.name] = value;
  }
  const ack = await send("session:settings", payload, form.querySelector("button"));
  if (ack.ok) toast(t("saved"), "ok");
});
