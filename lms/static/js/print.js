/* Handout page: show the "print" button (the page works without it: Ctrl+P). */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
