/* Short notes in the corner: an action's confirmation ("ok") or a readable refusal. */
import { $, el } from "./dom.js";

export function toast(message, kind) {
  const box = $("#toasts");
  if (!box) return;
  const item = el("div", { class: `toast ${kind || "error"}`, role: "status" }, message);
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove(); // never a wall of toasts
  setTimeout(() => item.remove(), kind === "ok" ? 2500 : 6000);
}
