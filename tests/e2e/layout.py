"""Layout measured from the DOM: text that is clipped, spills out of its box, leaves the
viewport or overlaps other text. Used by every test that says a page "fits".

`layout_problems(page)` returns one readable line per problem (empty when the page fits), so a
failing assertion names the element and the numbers:

    assert layout_problems(page) == []

What counts:
- **clipped**: an element whose content is larger than its box while its overflow hides it
  (overflow hidden/clip, or `text-overflow: ellipsis`): the reader loses words.
- **spills**: a text element whose box leaves its parent's box (more than 1 px) while the
  parent does not scroll: it runs into whatever is beside it.
- **off-screen**: with `fit_viewport=True` (a projector page: nothing scrolls), any visible
  text outside the viewport.
- **overlaps**: two visible text elements, neither inside the other, whose boxes intersect by
  more than 2 px each way.

Only visible elements count (display, visibility, opacity, a non-empty box; not `.sr-only`
text, which is read aloud by screen readers and never shown). An element may opt
out with `data-layout-ignore` (for decorations that overlap by design, such as a progress bar
behind its label); use it sparingly and say why where it is set.
"""

from __future__ import annotations

_MEASURE = """(opts) => {
  const out = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean).slice(0, 2);
    if (cls.length) s += "." + cls.join(".");
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const visible = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.display === "none" || cs.visibility === "hidden") return false;
      if (Number(cs.opacity) === 0) return false;
      if (n.hasAttribute("data-layout-ignore") || n.hidden) return false;
      if (n.classList.contains("sr-only")) return false;  // read aloud, never seen
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const ownText = (el) => [...el.childNodes].some(
    (c) => c.nodeType === 3 && c.textContent.trim().length > 0);
  const SKIP = ["SCRIPT", "STYLE", "TEMPLATE", "svg", "path", "rect", "BR", "OPTION"];
  const box = (r) => `[${[r.left, r.top, r.right, r.bottom].map(Math.round).join(",")}]`;
  const hiding = (v) => ["hidden", "clip"].includes(v);
  const root = document.querySelector(opts.root || "body");
  if (!root) return [`root ${opts.root} not found`];
  const all = [root, ...root.querySelectorAll("*")].filter(
    (el) => !SKIP.includes(el.tagName));
  const shown = all.filter(visible);
  const texts = shown.filter(ownText);
  const W = window.innerWidth, H = window.innerHeight;

  for (const el of shown) {
    const cs = getComputedStyle(el);
    const hides = hiding(cs.overflowX) || hiding(cs.overflowY);
    const ellipsis = cs.textOverflow === "ellipsis";
    if ((hides || ellipsis) && ownText(el) || (hides && el.children.length === 0)) {
      if (el.scrollWidth > el.clientWidth + 1 && (hides || ellipsis))
        out.push(`clipped ${describe(el)}: ${el.scrollWidth} px wide in ${el.clientWidth} px`);
      if (hides && el.scrollHeight > el.clientHeight + 1)
        out.push(`clipped ${describe(el)}: ${el.scrollHeight} px tall in ${el.clientHeight} px`);
    }
  }
  const scrolls = (el) => {
    const cs = getComputedStyle(el);
    return ["auto", "scroll"].includes(cs.overflowX) || ["auto", "scroll"].includes(cs.overflowY);
  };
  for (const el of texts) {
    const r = el.getBoundingClientRect();
    const parent = el.parentElement;
    if (parent && parent !== document.documentElement && !scrolls(parent)) {
      const p = parent.getBoundingClientRect();
      const out_x = r.left < p.left - 1 || r.right > p.right + 1;
      if (out_x || r.top < p.top - 1 || r.bottom > p.bottom + 1)
        out.push(`spills ${describe(el)} out of ${describe(parent)}: ${box(r)} in ${box(p)}`);
    }
    if (opts.fitViewport && (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1))
      out.push(`off-screen ${describe(el)}: ${box(r)} in ${W}x${H}`);
  }
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i], ra = a.getBoundingClientRect();
    for (let j = i + 1; j < texts.length; j++) {
      const b = texts[j];
      if (a.contains(b) || b.contains(a)) continue;
      const rb = b.getBoundingClientRect();
      const dx = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const dy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (dx > 2 && dy > 2)
        out.push(`overlaps ${describe(a)} and ${describe(b)}: ${dx | 0}x${dy | 0} px`);
    }
  }
  if (opts.fitViewport) {
    const d = document.scrollingElement || document.documentElement;
    if (d.scrollWidth > W + 1 || d.scrollHeight > H + 1)
      out.push(`page scrolls: ${d.scrollWidth}x${d.scrollHeight} in ${W}x${H}`);
  }
  return out;
}"""


def layout_problems(page, root: str = "body", fit_viewport: bool = False) -> list[str]:
    """Every clipped, spilling, off-screen or overlapping text element under `root`."""
    return page.evaluate(_MEASURE, {"root": root, "fitViewport": fit_viewport})
