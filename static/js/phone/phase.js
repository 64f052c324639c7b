/* One main card per phase. The phase follows from the stage and this person's own state; each
 * part of the page is then main (in the page), folded (under "More") or not offered at all. */
import { $, show } from "../lib/dom.js";
import { mine } from "./state.js";

/* The phase of the session as this phone lives it:
 * outcome (published) > follow (revealed, the room is on commitments) > results (revealed) >
 * vote (open, or closed and not yet revealed; per-pitch rounds follow the stage) >
 * your_turn (own pitch live) > watching (something live) > wait (own pitch waiting) > signup. */
export function phaseOf(snap, me) {
  const own = new Set((me?.pitches || []).map((p) => p.id));
  if (snap.outcome_url) return "outcome";
  if (snap.results && snap.mode === "commitments") return "follow";
  if (snap.results) return "results";
  const perPitchLive = snap.round === "per_pitch" && snap.live;
  if ((snap.voting === "open" && !perPitchLive) || snap.voting === "closed") return "vote";
  if (snap.live && own.has(snap.live.id)) return "your_turn";
  if (snap.live) return "watching";
  if ((me?.pitches || []).some((p) => p.status === "queued" || p.status === "pending")) {
    return "wait";
  }
  return "signup";
}

/* Whether the room is past the pitches (the form is no longer offered). */
export const signupOpen = (phase) => !["vote", "results", "follow", "outcome"].includes(phase);

/* Follow-up is offered once someone else's pitch has been given (or the moderator opened the
 * vote, the results or the commitments). */
export function followOpen(snap, phase) {
  const own = mine();
  const given = snap.votable.some((p) => !own.has(p.id) && p.status === "done");
  return given || ["vote", "results", "follow", "outcome"].includes(phase);
}

// Where each part goes, per phase: "main" parts in this order, the rest folded under "More".
const MAIN = {
  signup: ["mine", "waiting"],
  wait: ["waiting", "mine", "stage"],
  watching: ["stage", "rate-now", "waiting"],
  your_turn: ["stage"],
  vote: ["rate-now", "vote"],
  results: ["results", "follow"],
  follow: ["follow"],
  outcome: ["outcome-link", "follow"],
};
const PARTS = ["stage", "waiting", "rate-now", "vote", "results", "outcome-link", "mine", "follow"];

let lastPhase = null;

/* Put every part in its place for `phase`; returns whether the phase changed. */
export function arrange(phase) {
  const app = $("#app");
  const more = $("#more");
  const body = $("#more-body");
  const main = MAIN[phase];
  const folded = PARTS.filter((id) => !main.includes(id)).map((id) => $(`#${id}`));
  // Main parts in order just before "More", the rest inside it; a part is moved only when it
  // is not in its place already, so a field being typed in keeps its focus.
  let anchor = more;
  for (const id of [...main].reverse()) {
    const node = $(`#${id}`);
    if (node.nextElementSibling !== anchor) app.insertBefore(node, anchor);
    anchor = node;
  }
  for (const node of folded) if (node.parentNode !== body) body.append(node);
  show(
    more,
    folded.some((n) => !n.hidden),
  );
  app.dataset.phase = phase;
  const changed = lastPhase !== null && lastPhase !== phase;
  if (changed) {
    more.open = false;
    window.scrollTo({ top: 0, behavior: "instant" });
  }
  lastPhase = phase;
  return changed;
}
