/* Translated UI text: the server translates every string a script shows (facilitator/ui_text.py)
 * and hands it over in the page data; scripts carry no text of their own. */
import { setText } from "./dom.js";
import { page } from "./page.js";

const TEXT = page.text || {};
/* The same text in the page's second language (the screen for a mixed room), or none. */
const TEXT_ALT = page.text_alt || null;

const fill = (s, params) =>
  s.replace(/%\((\w+)\)s/g, (m, k) => (params && params[k] !== undefined ? String(params[k]) : m));

/* t("key", {n: 3}) with %(n)s placeholders; an unknown key comes back as it is. */
export function t(key, params) {
  const s = TEXT[key] !== undefined ? TEXT[key] : key;
  return params ? fill(s, params) : s;
}

/* The text in the second language, or "". */
export function talt(key, params) {
  if (!TEXT_ALT || TEXT_ALT[key] === undefined) return "";
  return fill(TEXT_ALT[key], params);
}

/* Set a label's text and, where there is a second language, its data-alt (shown by CSS). */
export function label(node, key, params) {
  if (!node) return;
  setText(node, t(key, params));
  const alt = talt(key, params);
  if (alt) {
    if (node.dataset.alt !== alt) node.dataset.alt = alt;
  } else if (node.dataset.alt) delete node.dataset.alt;
}

const EN_SUFFIX = { one: "st", two: "nd", few: "rd", other: "th" };

/* 1st, 2nd, ... in English; the translated "no. %(n)s" otherwise. */
export function ordinal(n) {
  const lang = document.documentElement.lang || "en";
  if (lang.startsWith("en") && window.Intl && Intl.PluralRules) {
    return n + EN_SUFFIX[new Intl.PluralRules("en", { type: "ordinal" }).select(n)];
  }
  return t("ordinal", { n });
}

/* A result's score in the words of the round's method. */
export function scoreText(method, r) {
  if (method === "matrix") return t("score_is", { n: r.score });
  const key = method === "approval" ? "approvals" : "dots";
  return t(r.score === 1 ? `${key}_one` : `${key}_many`, { n: r.score });
}
