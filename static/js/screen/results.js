/* The results on the screen: the ranking, fitted to the screen (fit.js: text size, columns,
 * pages), stepped in from last place by the moderator or built up from the bottom at once, the
 * winner marked once first place is out; and for impact x ease ratings the matrix (impact up,
 * ease right: each rated pitch a numbered dot at its means; the quick wins are top right). */
import { $, el, render, setText, show } from "../lib/dom.js";
import { scoreText, t } from "../lib/i18n.js";
import { fitList, pager } from "./fit.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function matrix(rows) {
  const box = svg("svg", {
    class: "matrix",
    viewBox: "0 0 440 440",
    role: "img",
    "aria-label": t("matrix_label"),
  });
  const quads = [
    [240, 20, "m-q m-q-win"],
    [60, 20, "m-q"],
    [60, 200, "m-q"],
    [240, 200, "m-q"],
  ];
  for (const [x, y, cls] of quads) {
    box.append(svg("rect", { class: cls, x, y, width: 180, height: 180 }));
  }
  const end = { "text-anchor": "end" };
  box.append(
    svg("text", { class: "m-ql m-ql-win", x: 410, y: 44, ...end }, t("quadrant_quick_win")),
    svg("text", { class: "m-ql", x: 70, y: 44 }, t("quadrant_major_project")),
    svg("text", { class: "m-ql", x: 410, y: 370, ...end }, t("quadrant_fill_in")),
    svg("text", { class: "m-ql", x: 70, y: 370 }, t("quadrant_not_now")),
  );
  const middle = { "text-anchor": "middle" };
  for (let v = 1; v <= 5; v++) {
    box.append(
      svg("text", { class: "m-tick", x: 60 + (v - 1) * 90, y: 400, ...middle }, String(v)),
      svg("text", { class: "m-tick", x: 48, y: 385 - (v - 1) * 90, ...end }, String(v)),
    );
  }
  box.append(
    svg("text", { class: "m-axis", x: 240, y: 430, ...middle }, `${t("ease")} →`),
    svg(
      "text",
      { class: "m-axis", x: 16, y: 200, ...middle, transform: "rotate(-90 16 200)" },
      `${t("impact")} →`,
    ),
  );
  // Pitches with the same means would hide each other: spread them in a short row.
  const at = new Map();
  for (const r of rows) {
    if (r.impact === null || r.ease === null) continue;
    const spot = `${r.ease}|${r.impact}`;
    at.set(spot, [...(at.get(spot) || []), r.id]);
  }
  for (const r of rows) {
    if (r.impact === null || r.ease === null) continue;
    const same = at.get(`${r.ease}|${r.impact}`);
    const dx = (same.indexOf(r.id) - (same.length - 1) / 2) * Math.min(32, 160 / same.length);
    const g = svg("g", {
      class: `m-dot${r.quadrant === "quick_win" ? " m-dot-win" : ""}`,
      transform: `translate(${60 + (r.ease - 1) * 90 + dx} ${380 - (r.impact - 1) * 90})`,
      "data-pitch": r.id,
    });
    g.append(
      svg("circle", { r: 15 }),
      svg("text", { y: 6, ...middle }, String(r.rank)),
      svg("title", {}, `${r.rank}. ${r.title}: ${r.impact} / ${r.ease}`),
    );
    box.append(g);
  }
  return box;
}

function resultItem(r, method, interest, max) {
  const wanting = Number(interest[String(r.id)] || 0);
  const bar = el("span", { class: "bar-fill" });
  bar.style.setProperty("--share", (r.score / max).toFixed(3));
  let classes = "result";
  if (r.rank <= 3 && r.score > 0) classes += ` top top-${r.rank}`;
  if (r.tied) classes += " tied";
  if (r.quadrant === "quick_win") classes += " quick-win";
  const wants = t(wanting === 1 ? "interested_one" : "interested_many", { n: String(wanting) });
  return el(
    "li",
    { class: classes, "data-pitch": r.id, "data-rank": r.rank },
    el("span", { class: "rank" }, r.tied ? `=${r.rank}` : String(r.rank)),
    el(
      "span",
      { class: "what" },
      el("span", { class: "r-title" }, r.title),
      el(
        "span",
        { class: "r-meta" },
        el("span", { class: "r-pitcher" }, r.pitcher),
        wanting ? el("span", { class: "r-interest" }, wants) : null,
      ),
    ),
    el("span", { class: "votes" }, scoreText(method, r)),
    el("span", { class: "bar", "aria-hidden": "true" }, bar),
  );
}

const PAGE_MS = 9000;
let seen = new Set();
let lastKey = "";
let lastArgs = null;
const pages = pager($("#results"), (i, n) => {
  const note = $('[data-field="results-page"]');
  setText(note, n > 1 ? t("page_of", { n: String(i + 1), of: String(n) }) : "");
});

/* `interest`: how many want to follow up on each pitch, by id (from the head counts). While
 * the moderator steps the ranking in, `snap.results` holds only the places revealed so far
 * (the server sends no more) and `snap.reveal` says how far the reveal has come. */
export function renderResults(root, snap, interest) {
  lastArgs = [root, snap, interest];
  const rows = snap.results || [];
  const method = snap.method;
  const reveal = snap.reveal || { places: 0, of: 0, complete: true };
  const visible = root.dataset.mode === "results";
  const key = JSON.stringify([
    method,
    rows.map((r) => [r.id, r.score, r.rank, r.title, r.pitcher, r.impact, r.ease]),
    interest,
    reveal,
    visible,
    root.classList.contains("has-message"),
    window.innerWidth,
    window.innerHeight,
  ]);
  if (key === lastKey) return;
  lastKey = key;
  if (!snap.results) seen = new Set();
  const max = Math.max(1, ...rows.map((r) => r.score));
  root.classList.toggle("matrix-results", method === "matrix");
  const winner = reveal.complete && rows.length > 0;
  root.classList.toggle("revealing", !reveal.complete);
  show($("#matrix-box"), method === "matrix");
  if (method === "matrix") render($("#matrix-box"), key, () => [matrix(rows)]);
  const items = rows.map((r) => resultItem(r, method, interest, max));
  // Only what is new arrives: all at once, built up from the bottom; one step, by itself.
  const fresh = items.filter((li) => !seen.has(li.dataset.pitch));
  fresh.forEach((li, i) => {
    li.classList.add("arrive");
    li.style.setProperty("--delay", `${((fresh.length - 1 - i) * 0.3).toFixed(2)}s`);
  });
  for (const li of items) {
    seen.add(li.dataset.pitch);
    if (winner && li.dataset.rank === "1") li.classList.add("winner");
  }
  const frame = $("#results-frame");
  const list = $("#results");
  if (!visible) {
    list.replaceChildren(...items);
  } else {
    // Stepping in: the newest place is at the top of page one; hold it there.
    pages.set(fitList(frame, list, items, ".r-title"), PAGE_MS, !reveal.complete);
  }
  const tie = $('[data-field="tie-note"]', root);
  show(
    tie,
    rows.some((r) => r.tied),
  );
  setText(tie, method === "dots" ? t("tie_note") : t("tie_note_score"));
  const progress = $('[data-field="reveal-progress"]', root);
  show(progress, !reveal.complete);
  setText(
    progress,
    reveal.complete
      ? ""
      : t("reveal_progress", { n: String(reveal.places), of: String(reveal.of) }),
  );
}

window.addEventListener("resize", () => {
  if (lastArgs) renderResults(...lastArgs);
});

/* A font that arrives late (the Chinese glyphs) changes every measure: fit again. */
document.fonts?.addEventListener("loadingdone", () => {
  lastKey = "";
  if (lastArgs) renderResults(...lastArgs);
});
