// The week view: drag a post to another time or day to reschedule it. The drop sends the
// page's hidden form (CSRF token, new time, the revision the card showed) as an ordinary POST,
// so the server refuses a post changed since, like a stale approval. Without JavaScript, or
// from the keyboard, the reschedule form on each post's page does the same.
(function () {
  "use strict";
  var form = document.getElementById("move-form");
  if (!form) { return; }
  var dragged = null;
  document.querySelectorAll("article.mini[draggable=true]").forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
    });
  });
  document.querySelectorAll(".timegrid td[data-at]").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (dragged) { event.preventDefault(); cell.classList.add("drop-target"); }
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("drop-target");
      if (!dragged || dragged.parentElement === cell) { return; }
      form.action = form.dataset.posts + dragged.id.replace(/^mini-/, "") + "/reschedule";
      form.elements.at.value = cell.dataset.at;
      form.elements.revision.value = dragged.dataset.revision;
      form.submit();
    });
  });
}());
