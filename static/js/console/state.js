/* The console's state: the last snapshot from the server. Panels render from it; actions and
 * forms read it when the moderator acts. */
let snap = null;

export const current = () => snap;

export function setCurrent(next) {
  snap = next;
}
