/* The results on the screen: the ranking, built up from the bottom, and for impact x ease
 * ratings the matrix (impact up, ease right: each rated pitch a numbered dot at its means; the
 * quick wins are top right). */
import { $, el, render, setText, show } from "../lib/dom.js";
import { scoreText, t } from "../lib/i18n.js";

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
  for (const r of rows) {
    if (r.impact === null || r.ease === null) continue;
    const g = svg("g", {
      class: `m-dot${r.quadrant === "quick_win" ? " m-dot-win" : ""}`,
      transform: `translate(${60 + (r.ease - 1) * 90} ${380 - (r.impact - 1) * 90})`,
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

function resultItem(r, place, count, max, method, interest) {
  const wanting = String(interest[String(r.id)] || 0);
  const bar = el("span", { class: "bar-fill" });
  bar.style.setProperty("--share", (r.score / max).toFixed(3));
  let classes = "result";
  if (r.rank <= 3 && r.score > 0) classes += ` top top-${r.rank}`;
  if (r.tied) classes += " tied";
  if (r.quadrant === "quick_win") classes += " quick-win";
  const wants = t(wanting === "1" ? "interested_one" : "interested_many", { n: wanting });
  const li = el(
    "li",
    { class: classes },
    el("span", { class: "rank" }, r.tied ? `=${r.rank}` : String(r.rank)),
    el(
      "span",
      { class: "what" },
      el("span", { class: "r-title" }, r.title),
      el("span", { class: "r-pitcher" }, r.pitcher),
      wanting !== "0" ? el("span", { class: "r-interest" }, wants) : null,
    ),
    el("span", { class: "bar" }, bar),
    el("span", { class: "votes" }, scoreText(method, r)),
  );
  // Build up from the bottom of the ranking to the top.
  li.style.setProperty("--delay", `${((count - 1 - place) * 0.35).toFixed(2)}s`);
  return li;
}

/* `interest`: how many want to follow up on each pitch, by id (from the head counts). */
export function renderResults(root, snap, interest) {
  const rows = snap.results || [];
  const method = snap.method;
  const key = JSON.stringify([
    method,
    rows.map((r) => [r.id, r.score, r.rank, r.title, r.pitcher, r.impact, r.ease]),
    interest,
  ]);
  const max = Math.max(1, ...rows.map((r) => r.score));
  root.classList.toggle("matrix-results", method === "matrix");
  render($("#results"), key, () =>
    rows.map((r, i) => resultItem(r, i, rows.length, max, method, interest)),
  );
  show($("#matrix-box"), method === "matrix");
  if (method === "matrix") render($("#matrix-box"), key, () => [matrix(rows)]);
  const tie = $('[data-field="tie-note"]', root);
  show(
    tie,
    rows.some((r) => r.tied),
  );
  setText(tie, method === "dots" ? t("tie_note") : t("tie_note_score"));
}
