/* What the screen shows: the mode buttons (every declared screen mode, from the page data) and
 * the preview, a real screen page scaled to the panel's width. */
import { now } from "../lib/clock.js";
import { $, el, render, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { page } from "../lib/page.js";
import { send } from "../lib/socket.js";

export const MODES = page.screen_modes || [];

/* The screen's "next part" card shows for a few seconds when a section starts: a small
 * control takes it away sooner. */
let cardTimer = null;
function renderCard(snap) {
  const btn = $("#btn-card");
  if (!btn) return;
  const left = snap.card_until ? snap.card_until - now() : 0;
  show(btn, left > 0);
  clearTimeout(cardTimer);
  if (left > 0) cardTimer = setTimeout(() => show(btn, false), left);
}
$("#btn-card")?.addEventListener("click", (ev) =>
  send("screen:card_dismiss", {}, ev.currentTarget),
);

export function renderModes(snap) {
  renderCard(snap);
  const chosen = snap.settings.screen_mode;
  const name = (m) =>
    m === "auto" ? t("mode_auto", { mode: t(`mode_name_${snap.mode}`) }) : t(`mode_name_${m}`);
  render($("#screen-modes"), `${chosen}|${snap.mode}`, () =>
    MODES.map((m) =>
      el(
        "button",
        {
          type: "button",
          "aria-pressed": m === chosen ? "true" : "false",
          onclick: (ev) => send("screen:mode", { mode: m }, ev.currentTarget),
        },
        name(m),
      ),
    ),
  );
}

const box = $(".preview");
if (box && window.ResizeObserver) {
  new ResizeObserver(() => {
    box.style.setProperty("--preview-scale", (box.clientWidth / 1920).toFixed(4));
  }).observe(box);
}
