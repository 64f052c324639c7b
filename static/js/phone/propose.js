/* Proposing a pitch: a title and a one-line offer (and both in a second language), with
 * counters against the limits. */
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { send } from "../lib/socket.js";
import { toast } from "../lib/toast.js";

const form = $("#propose-form");

function counters() {
  for (const id of ["p-title", "p-offer"]) {
    const input = $(`#${id}`);
    setText($(`[data-counter="${id}"]`), `${input.value.length}/${input.maxLength}`);
  }
}
form.addEventListener("input", counters);
counters();

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const error = $("#propose-error");
  const title = form.title.value.trim();
  const offer = form.offer.value.trim();
  const second = {
    title_alt: form.title_alt.value.trim(),
    offer_alt: form.offer_alt.value.trim(),
  };
  if (!title || !offer) {
    show(error, true);
    setText(error, t("pitch_fields_required"));
    return;
  }
  const button = form.querySelector("button[type=submit]");
  const ack = await send("pitch:propose", { title, offer, ...second }, button);
  show(error, !ack.ok);
  if (ack.ok) {
    setText(error, "");
    form.reset();
    counters();
    toast(ack.status === "queued" ? t("pitch_queued") : t("pitch_sent"), "ok");
  } else {
    setText(error, ack.message || t("refused"));
  }
});
