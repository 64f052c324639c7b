/* "Delete me": asked first in the page's own dialog, then a plain last page that says what
 * happened and what stays. The server closes this page's connection once the person is gone:
 * the page asked for that, so it is the answer, never "connection lost". */
import { $ } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { final, leave, online, send, stay } from "../lib/socket.js";
import { toast } from "../lib/toast.js";

/* This person deleted themselves (here, or in another tab of theirs). */
export const deletedPage = () =>
  final("data_deleted", "data_deleted_stays", ["join_again", location.pathname]);

const dialog = $("#delete-dialog");

$("#delete-me").addEventListener("click", () => {
  if (!online()) toast(t("offline_action"));
  else dialog.showModal();
});

dialog.addEventListener("close", async () => {
  if (dialog.returnValue !== "delete") return;
  leave();
  const ack = await send("me:delete", {}, $("#delete-me"));
  // Refused (offline, or the server said no): the page stays as it was, with the reason shown.
  if (ack.ok) deletedPage();
  else stay();
});
