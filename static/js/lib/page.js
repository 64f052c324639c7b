/* What the server hands the page's script: the join code, the translated UI text and, per page,
 * the declarations it needs (the console: its settings and the screen modes). A JSON script
 * element, never inline script: the CSP allows only scripts from this origin. */
const node = document.getElementById("page-data");

export const page = node ? JSON.parse(node.textContent) : {};
