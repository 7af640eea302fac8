/* Unit picker: suggestions under every input[data-unit-search] as one types (a <datalist>
   filled from the search endpoint), and the chosen unit's name shown under the box. The form
   works without this script: the server resolves what was typed and offers a choice. */
(function () {
  "use strict";
  var DELAY = 200;

  function setup(input) {
    if (input.dataset.unitReady) { return; }
    input.dataset.unitReady = "1";
    var list = document.getElementById(input.getAttribute("list"));
    var box = input.closest(".unit-picker");
    var chosen = box && box.querySelector("[data-unit-chosen]");
    var byValue = {};
    var timer = null;
    var asked = 0;

    function show() {
      if (chosen) { chosen.textContent = byValue[input.value] || ""; }
    }

    function fill(matches) {
      var useCode = input.dataset.unitValue === "code";
      byValue = {};
      list.textContent = "";
      matches.forEach(function (m) {
        var option = document.createElement("option");
        option.value = useCode ? m.code : m.label;
        option.label = useCode ? m.label : m.code;
        option.textContent = option.label;
        byValue[option.value] = m.label;
        list.appendChild(option);
      });
      show();
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) { fill([]); return; }
      fetch(input.dataset.unitSearch + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : [];
      }).then(function (matches) {
        if (mine === asked) { fill(matches); }
      }).catch(function () { /* offline: the server still resolves on submit */ });
    }

    input.addEventListener("input", function () {
      // typing again replaces a choice offered by the server's search step
      if (box) {
        box.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
          radio.checked = false;
        });
      }
      show();
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
  }

  document.querySelectorAll("input[data-unit-search]").forEach(setup);
})();
