/* What the console says after an action that can be undone. */
import { t } from "../lib/i18n.js";
import { toast } from "../lib/toast.js";

/* "Removed", "Skipped", ...: a log action's name in words. */
export const didLabel = (action) => t(`did_${action.replace(" ", "_")}`);

/* After an acknowledged action that can be undone: say so, with the key that undoes it. */
export function undoable(ack) {
  if (ack.ok && ack.undo) toast(t("undo_hint", { action: didLabel(ack.undo) }), "ok");
  return ack;
}
