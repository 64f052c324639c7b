/* Short notes in one place: an action's confirmation ("ok"), a hint ("info") or a readable
 * refusal (the default, "error"). The newest note replaces the one before, so a red refusal
 * never stays beside the green "saved" that followed it; a refusal stays longer and can be
 * dismissed. */
import { $, el } from "./dom.js";
import { t } from "./i18n.js";

export function toast(message, kind) {
  const box = $("#toasts");
  if (!box) return;
  const type = kind || "error";
  const item = el("div", { class: `toast ${type}`, role: type === "error" ? "alert" : "status" });
  item.append(el("span", { class: "toast-text" }, message));
  if (type === "error") {
    const close = el(
      "button",
      { type: "button", class: "toast-close", "aria-label": t("dismiss"), title: t("dismiss") },
      "\u00D7",
    );
    close.addEventListener("click", () => item.remove());
    item.append(close);
  }
  box.replaceChildren(item);
  setTimeout(() => item.remove(), type === "error" ? 8000 : 2500);
}
