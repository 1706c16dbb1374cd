// A "Copy link" button beside a link shown only once (shown only where the browser can copy).
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var link = document.getElementById(button.dataset.copy);
    if (!link) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(function () {
        button.textContent = "Copied";
      }, function () {
        button.textContent = "Select the link and copy it";
      });
    });
  });
}());
