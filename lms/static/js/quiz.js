/* Tập Huấn — taking a quiz on a phone. Everything here is optional: without JavaScript each
   question's "Lưu" button posts the page, "Nộp bài" leads to a confirm page and the server
   judges the time limit.
   - each change is saved at once through the JSON endpoint; a save that fails (no network)
     is kept in localStorage and sent again when the connection returns or the page reloads;
   - the answered counter follows every change;
   - "Nộp bài" opens a dialog naming the unanswered questions;
   - a countdown shows the time left (from the server's clock), and submits at zero. */
(function () {
  "use strict";
  var form = document.querySelector("form.quiz[data-json]");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var storeKey = "lms-quiz-pending-" + form.getAttribute("data-attempt");
  var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset.quiz-q"));

  function chosen(fieldset) {
    var qid = fieldset.getAttribute("data-question");
    var out = [];
    fieldset.querySelectorAll("input[name=q" + qid + "]:checked").forEach(function (input) {
      out.push(input.value);
    });
    return out;
  }

  function pending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); }
    catch (e) { return {}; }
  }

  function remember(qid, value) {
    try {
      var all = pending();
      if (value === null) { delete all[qid]; } else { all[qid] = value; }
      window.localStorage.setItem(storeKey, JSON.stringify(all));
    } catch (e) { /* private mode: the page's own buttons still save */ }
  }

  function status(qid, text) {
    var fieldset = form.querySelector("fieldset.quiz-q[data-question='" + qid + "']");
    if (fieldset) { fieldset.querySelector(".quiz-saved").textContent = text; }
  }

  function send(qid, value) {
    remember(qid, value);
    status(qid, form.dataset.saving);
    if (!window.fetch) { return; }
    fetch(form.getAttribute("data-json"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({question_id: Number(qid), chosen: value})
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; },
                                  function () { return {ok: false, data: {}}; });
    }).then(function (result) {
      if (result.ok || result.data.error) { remember(qid, null); }
      status(qid, result.ok ? form.dataset.saved : (result.data.error || form.dataset.failed));
    }).catch(function () {
      status(qid, form.dataset.offline);
    });
  }

  function resend() {
    var all = pending();
    Object.keys(all).forEach(function (qid) { send(qid, all[qid]); });
  }

  function unanswered() {
    return fieldsets.filter(function (f) { return chosen(f).length === 0; });
  }

  var counter = document.querySelector("[data-answered]");
  function count() {
    if (counter) { counter.textContent = String(fieldsets.length - unanswered().length); }
  }

  // Restore choices that were made while offline and never reached the server.
  var saved = pending();
  Object.keys(saved).forEach(function (qid) {
    var fieldset = form.querySelector("fieldset.quiz-q[data-question='" + qid + "']");
    if (!fieldset) { return; }
    fieldset.querySelectorAll("input[name=q" + qid + "]").forEach(function (input) {
      input.checked = saved[qid].indexOf(input.value) !== -1;
    });
  });
  count();
  resend();
  window.addEventListener("online", resend);

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.quiz-q");
    if (!fieldset) { return; }
    count();
    send(fieldset.getAttribute("data-question"), chosen(fieldset));
  });

  // The confirm dialog: the submit button opens it; its own button really submits.
  var dialog = document.getElementById("quiz-confirm");
  var submit = form.querySelector("button[data-submit]");
  var confirmField = form.querySelector("input[name=confirm]");
  function submitNow() {
    confirmField.value = "1";
    form.setAttribute("action", submit.getAttribute("formaction"));
    form.submit();
  }
  if (dialog && dialog.showModal && submit) {
    submit.addEventListener("click", function (event) {
      event.preventDefault();
      var list = dialog.querySelector("[data-unanswered]");
      var missing = unanswered();
      list.textContent = "";
      missing.forEach(function (fieldset) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#" + fieldset.id;
        link.textContent = fieldset.getAttribute("data-label");
        link.addEventListener("click", function () { dialog.close(); });
        item.appendChild(link);
        list.appendChild(item);
      });
      dialog.querySelector("[data-some]").hidden = missing.length === 0;
      dialog.querySelector("[data-none]").hidden = missing.length !== 0;
      dialog.showModal();
    });
    dialog.querySelector("[data-confirm]").addEventListener("click", submitNow);
    dialog.querySelector("[data-cancel]").addEventListener("click", function () {
      dialog.close();
    });
  }

  // The countdown: seconds left as the server counted them when it sent the page.
  var timer = document.querySelector("[data-remaining]");
  if (timer) {
    var end = Date.now() + 1000 * Number(timer.getAttribute("data-remaining"));
    var clock = timer.querySelector("[data-clock]");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      timer.classList.toggle("quiz-timer-low", left <= 60);
      if (left === 0) {
        window.clearInterval(handle);
        clock.textContent = timer.getAttribute("data-over");
        submitNow();
      }
    };
    timer.hidden = false;
    var handle = window.setInterval(tick, 1000);
    tick();
  }
})();
