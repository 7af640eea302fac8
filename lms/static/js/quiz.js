/* Tập Huấn — quiz auto-save: each change is saved at once through the JSON endpoint.
   Optional: without JavaScript, every question's "Lưu" button posts the page. */
(function () {
  "use strict";
  var form = document.querySelector("form.quiz[data-json]");
  if (!form || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;

  function save(fieldset) {
    var qid = fieldset.getAttribute("data-question");
    var chosen = [];
    fieldset.querySelectorAll("input[name=q" + qid + "]:checked").forEach(function (input) {
      chosen.push(input.value);
    });
    var status = fieldset.querySelector(".quiz-saved");
    status.textContent = form.dataset.saving;
    fetch(form.getAttribute("data-json"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({question_id: Number(qid), chosen: chosen})
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; },
                                  function () { return {ok: false, data: {}}; });
    }).then(function (result) {
      status.textContent = result.ok ? form.dataset.saved : (result.data.error || form.dataset.failed);
    }).catch(function () {
      status.textContent = form.dataset.offline;
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.quiz-q");
    if (fieldset) { save(fieldset); }
  });
})();
