/* "Copy" buttons for readonly text boxes: without JavaScript the button stays hidden and the
   text is selected by hand. */
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var box = document.getElementById(button.getAttribute("data-copy"));
  if (!box) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    box.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, function () {
        document.execCommand("copy"); done();
      });
    } else {
      document.execCommand("copy"); done();
    }
  });
});
