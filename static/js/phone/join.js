/* Joining: a name (and an organisation) through the JSON API, which sets the participant's
 * cookie; then the page connects as a phone. */
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { page } from "../lib/page.js";

/* Wire the join form; `joined()` runs once the server has accepted the name. */
export function joinForm(joined) {
  const form = $("#join-form");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button");
    const error = $("#join-error");
    const name = form.name.value.trim();
    if (!name) {
      show(error, true);
      setText(error, t("name_required"));
      form.name.focus();
      return;
    }
    button.disabled = true;
    button.classList.add("busy");
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(page.code)}/participants`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name, organisation: form.organisation.value.trim() }),
        credentials: "same-origin",
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok || !body.ok) throw new Error(body.message || t("refused"));
      show(error, false);
      joined();
    } catch (e) {
      show(error, true);
      setText(error, e.message === "Failed to fetch" ? t("offline_action") : e.message);
    } finally {
      button.disabled = false;
      button.classList.remove("busy");
    }
  });
}
