/* The outcome page: a print button (the page's print stylesheet makes the report). */
const button = document.getElementById("print");
if (button) button.addEventListener("click", () => window.print());
