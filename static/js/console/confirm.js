/* Asking before an action that cannot be undone: a dialog in the page (never window.confirm,
 * which blocks the page's timers and cannot be styled or translated). */
import { $, setText } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

/* Resolves true when the moderator confirms, false on Cancel or Escape. */
export function ask(text, okLabel) {
  const dialog = $("#confirm-dialog");
  setText($("#confirm-text"), text);
  setText($("#confirm-ok"), okLabel || t("confirm_remove"));
  dialog.returnValue = "";
  const back = document.activeElement;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (back?.isConnected && back !== document.body) back.focus();
        resolve(dialog.returnValue === "confirm");
      },
      { once: true },
    );
  });
}
