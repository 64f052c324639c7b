/* What the screen shows: the mode buttons (every declared screen mode, from the page data) and
 * the preview, a real screen page scaled to the panel's width. */
import { $, el, render } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { page } from "../lib/page.js";
import { send } from "../lib/socket.js";

export const MODES = page.screen_modes || [];

export function renderModes(snap) {
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
