/* Taps that could not reach the server yet: votes and ratings are kept on the phone and sent
 * when the connection is back. Both are idempotent on the server (a pitch's dots, a rating's
 * values: the state, not a change), so sending one twice is harmless. The ballot is drawn with
 * these taps laid over what the server last said. */
import { $, setText, show } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { online, send, whenConnected } from "../lib/socket.js";
import { toast } from "../lib/toast.js";
import { ballotChanged, state, update } from "./state.js";

const dots = new Map(); // pitch id -> dots
const ratings = new Map(); // pitch id -> {impact, ease}

export const pendingCount = () => dots.size + ratings.size;

/* The dots on a pitch as this phone shows them. */
export function dotsOn(id) {
  if (dots.has(id)) return dots.get(id);
  return state.me?.ballot?.[String(id)] || 0;
}

/* Dots left, counting the taps not sent yet. */
export function dotsLeft(fallback) {
  const me = state.me;
  let left = me ? me.dots_left : fallback;
  if (left === null || left === undefined) return left;
  for (const [id, n] of dots) left -= n - (me?.ballot?.[String(id)] || 0);
  return left;
}

export function ratingOf(id) {
  if (ratings.has(id)) return ratings.get(id);
  return state.me?.ratings?.[String(id)] || null;
}

function note() {
  const box = $("#vote-pending");
  const n = pendingCount();
  show(box, n > 0);
  setText(box, n === 1 ? t("vote_saved_offline") : t("votes_waiting", { n }));
  document.body.classList.toggle("taps-pending", n > 0);
}

const redraw = () => {
  note();
  update({});
};

async function sendDots(id, n, button) {
  const ack = await send("vote:set", { pitch_id: id, dots: n }, button, { quiet: true });
  if (ack.ok) {
    if (dots.get(id) === n) dots.delete(id);
    ballotChanged(ack);
  } else if (ack.error === "offline" || ack.error === "timeout") {
    dots.set(id, n);
  } else dots.delete(id); // refused for a reason (voting closed, budget): shown as a toast
  redraw();
  return ack;
}

async function sendRating(id, r, button) {
  const ack = await send("rating:set", { pitch_id: id, ...r }, button, { quiet: true });
  if (ack.ok) {
    if (ratings.get(id) === r) ratings.delete(id);
  } else if (ack.error === "offline" || ack.error === "timeout") {
    ratings.set(id, r);
  } else ratings.delete(id);
  redraw();
  return ack;
}

/* Put `n` dots on a pitch: sent now, or kept until the connection is back. */
export function setDots(id, n, button) {
  if (!online()) {
    dots.delete(id); // the latest tap goes last
    dots.set(id, n);
    redraw();
    return;
  }
  sendDots(id, n, button);
}

/* Rate a pitch (`what`: impact or ease). */
export function setRating(id, what, n, button) {
  const r = { impact: 0, ease: 0, ...ratingOf(id), [what]: n };
  if (!online()) {
    ratings.delete(id);
    ratings.set(id, r);
    redraw();
    return;
  }
  sendRating(id, r, button);
}

/* On reconnect: the taps in order, dots taken off before dots given (so that a budget spent
 * differently offline never hits the limit on the way). */
whenConnected(async () => {
  if (!pendingCount()) return;
  const me = state.me;
  const before = (id) => me?.ballot?.[String(id)] || 0;
  const queued = [...dots].sort((a, b) => a[1] - before(a[0]) - (b[1] - before(b[0])));
  let ok = true;
  for (const [id, n] of queued) ok = (await sendDots(id, n)).ok && ok;
  for (const [id, r] of [...ratings]) ok = (await sendRating(id, r)).ok && ok;
  if (ok && !pendingCount()) toast(t("votes_sent"), "ok");
});
