/* The chime at 30 s left and at zero, where the browser lets it play. A browser that blocks
 * sound until a click gets a note saying so; the next click anywhere enables it. */
import { $, show } from "../lib/dom.js";

const chime = $("#chime");
const note = $("#sound-note");
let on = false;
let blocked = false;

function showNote() {
  show(note, on && blocked);
}

function probe() {
  chime.volume = 0;
  const played = chime.play();
  if (!played) return;
  played
    .then(() => {
      chime.pause();
      chime.currentTime = 0;
      chime.volume = 1;
      blocked = false;
      showNote();
    })
    .catch(() => {
      chime.volume = 1;
      blocked = true;
      showNote();
    });
}

document.addEventListener("click", () => {
  if (blocked) probe();
});

/* The session's chime setting, from each snapshot. */
export function setChime(wanted) {
  if (wanted === on) return;
  on = wanted;
  if (on) probe();
  else showNote();
}

/* A timer view's threshold listener: chime as the last 30 seconds start, and at zero. */
export function onPhase(phase) {
  if (!on || (phase !== "amber" && phase !== "overrun")) return;
  chime.currentTime = 0;
  const played = chime.play();
  if (played) {
    played.catch(() => {
      blocked = true;
      showNote();
    });
  }
}
