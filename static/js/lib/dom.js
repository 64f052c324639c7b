/* Building and updating the DOM safely: strings become text nodes, never markup. User text only
 * ever goes through textContent, never innerHTML. */

export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export function show(node, visible) {
  if (node) node.hidden = !visible;
}

/* Replace a container's children only when the rendering key changed. Keyboard focus survives
 * a rebuild: an element with data-fkey gets it back by that key (or, if it is now disabled,
 * the first enabled button of its row). */
export function render(container, key, build) {
  if (!container || container.dataset.key === key) return false;
  container.dataset.key = key;
  const active = document.activeElement;
  const fkey = active && container.contains(active) ? active.dataset.fkey : null;
  container.replaceChildren(...[].concat(build()));
  if (fkey) {
    const again = container.querySelector(`[data-fkey="${CSS.escape(fkey)}"]`);
    if (again && !again.disabled) again.focus();
    else if (again) {
      const row = again.closest("[tabindex], li") || container;
      row.querySelector("button:not([disabled])")?.focus();
    }
  }
  return true;
}
