/* A page's periodic work, and its stop: a page that reached a final state (the session erased,
 * the participant's data deleted, the console signed out) stops every timer it runs. */
const intervals = [];
let done = false;

/* Run `fn` every `ms` until the page stops. */
export function every(fn, ms) {
  intervals.push(setInterval(fn, ms));
}

export const stopped = () => done;

export function stop() {
  done = true;
  for (const id of intervals) clearInterval(id);
}
