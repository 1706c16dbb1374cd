// The message editor: while you type, the preview (text per platform, length, toolkit check's
// problems, the card) is asked for again from the server, which runs the same checks as a save;
// the statistic picker puts {id} where the cursor was in the text last typed in. Without
// JavaScript the form still saves, and the POST answers with the same checks.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var body = document.getElementById("preview-body");
  if (!form || !body || !window.fetch) { return; }
  var last = form.querySelector("textarea");
  var timer = null, asked = 0;

  function refresh() {
    var mine = ++asked;
    fetch(form.dataset.preview, {method: "POST", body: new FormData(form),
                                 credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && mine === asked) { body.innerHTML = html; }
      })
      .catch(function () { /* the preview waits for the next change */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.querySelectorAll("textarea").forEach(function (area) {
    area.addEventListener("focus", function () { last = area; });
  });
  document.querySelectorAll("button.insert").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!last) { return; }
      var text = button.dataset.placeholder;
      var start = last.selectionStart, end = last.selectionEnd;
      last.value = last.value.slice(0, start) + text + last.value.slice(end);
      last.focus();
      last.selectionStart = last.selectionEnd = start + text.length;
      later();
    });
  });
}());
