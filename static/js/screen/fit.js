/* Fitting a list into its frame on the projector, measured rather than guessed: the browser lays
 * the list out at each candidate text size, largest first, in one column and then (where the
 * frame is wide enough) two, and the first layout where every item fits, with every title on
 * at most two lines, wins. When even the smallest size cannot hold every item, the list is cut
 * into pages of as many items as fit; the caller shows them in turn with "1/3".
 *
 * The sizes are in vh, so they scale with the projector; the smallest keeps a title about
 * 3.3 % of the screen height (36 px at 1080 lines), which the back row still reads. */

const SIZES = [6, 5.3, 4.7, 4.2, 3.8, 3.5, 3.3];
const LINE = 1.15; // the titles' line height (app.css: --fit-line)

function apply(list, size, cols, count) {
  list.style.setProperty("--fs", `${size}vh`);
  list.style.setProperty("--cols", String(cols));
  list.style.setProperty("--rows", String(Math.max(1, Math.ceil(count / cols))));
}

function fits(frame, list, titleSel, maxLines) {
  if (list.offsetHeight > frame.clientHeight + 1) return false;
  if (list.scrollWidth > list.clientWidth + 1) return false;
  for (const item of list.children) {
    if (item.scrollWidth > item.clientWidth + 1) return false;
  }
  for (const title of list.querySelectorAll(titleSel)) {
    const lines =
      title.getBoundingClientRect().height / (parseFloat(getComputedStyle(title).fontSize) * LINE);
    if (lines > maxLines + 0.05) return false;
  }
  return true;
}

function chunk(items, per) {
  const out = [];
  for (let i = 0; i < items.length; i += per) out.push(items.slice(i, i + per));
  return out;
}

function tryLayout(frame, list, items, size, cols, titleSel, maxLines) {
  list.replaceChildren(...items);
  apply(list, size, cols, items.length);
  return fits(frame, list, titleSel, maxLines);
}

/* Where two lines cannot hold a title at the smallest size (80 Chinese characters in a narrow
 * column), a little smaller text, then three lines, before a title is ever cut. */
const PAGE_TRIES = [
  [3.3, 2],
  [3, 2],
  [2.7, 2],
  [3.3, 3],
  [2.7, 3],
  [2.7, 4],
  [2.4, 6],
];

function mostPerPage(frame, list, items, size, cols, titleSel, lines) {
  let lo = 1;
  let hi = items.length;
  let found = 0;
  while (lo <= hi) {
    const per = (lo + hi) >> 1;
    const ok = chunk(items, per).every((page) =>
      tryLayout(frame, list, page, size, cols, titleSel, lines),
    );
    if (ok) {
      found = per;
      lo = per + 1;
    } else hi = per - 1;
  }
  return found;
}

/* Lays `items` (elements) out in `list` inside `frame`; returns the pages (arrays of items),
 * with the list's size and columns set for them. The first page is left in the list. */
export function fitList(frame, list, items, titleSel) {
  if (!items.length || frame.clientHeight === 0) {
    list.replaceChildren(...items);
    return [items];
  }
  const colOptions = frame.clientWidth > frame.clientHeight * 1.3 ? [1, 2] : [1];
  for (const size of SIZES) {
    for (const cols of colOptions) {
      if (cols > items.length) continue;
      if (tryLayout(frame, list, items, size, cols, titleSel, 2)) return [items];
    }
  }
  // Pages: as few as possible (a long cycle loses the room), at the largest text that
  // needs no more of them.
  let best = null;
  for (const [size, lines] of PAGE_TRIES) {
    for (const cols of colOptions) {
      const per = mostPerPage(frame, list, items, size, cols, titleSel, lines);
      if (per && (!best || per > best.per)) best = { per, cols, size, lines };
    }
  }
  if (best) {
    const pages = chunk(items, best.per);
    tryLayout(frame, list, pages[0], best.size, best.cols, titleSel, best.lines);
    return pages;
  }
  const pages = chunk(items, 1);
  tryLayout(frame, list, pages[0], PAGE_TRIES[PAGE_TRIES.length - 1][0], 1, titleSel, 99);
  return pages;
}

/* Shows `pages` one after another in `list`, every `ms`; `onPage(i, n)` after each turn. */
export function pager(list, onPage) {
  let pages = [];
  let index = 0;
  let timer = null;
  const showPage = (i) => {
    index = i;
    const items = pages[i] || [];
    list.replaceChildren(...items);
    list.style.setProperty(
      "--rows",
      String(
        Math.max(1, Math.ceil(items.length / Number(list.style.getPropertyValue("--cols") || 1))),
      ),
    );
    onPage(i, pages.length);
  };
  return {
    set(next, ms, hold = false) {
      pages = next;
      clearInterval(timer);
      timer = null;
      showPage(0);
      if (pages.length > 1 && !hold)
        timer = setInterval(() => showPage((index + 1) % pages.length), ms);
    },
  };
}
