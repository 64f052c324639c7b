/* What the phone knows: the public stage (`snap`) and this participant's own state (`me`).
 * The page module says how to redraw (`onChange`); panels change the state through `update`. */
export const state = { snap: null, me: null };

let redraw = () => {};

export function onChange(fn) {
  redraw = fn;
}

export function update(changes) {
  Object.assign(state, changes);
  redraw();
}

/* A vote's reply, and the same sent to this person's other pages: the new ballot. */
export function ballotChanged(b) {
  if (!state.me) return;
  update({ me: { ...state.me, ballot: b.ballot, dots_left: b.dots_left } });
}

/* The ids of this participant's own pitches. */
export const mine = () => new Set((state.me?.pitches || []).map((p) => p.id));
