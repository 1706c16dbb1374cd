(function () {
  /* "Today's post": the ready post of the supporter's day, in turn (the page shows the first). */
  var d = document, list = JSON.parse(d.getElementById("today-posts").textContent);
  var now = new Date();
  var i = Math.floor(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / 864e5) % list.length;
  var p = list[i], img = d.getElementById("today-img");
  if (!i || !p) { return; }
  img.src = p.img; img.alt = p.alt; img.width = p.w; img.height = p.h;
  d.getElementById("today-text").textContent = p.text;
  d.getElementById("today-share").setAttribute("data-share-image", p.file);
  d.getElementById("today-more").href = p.more;
  d.getElementById("today-post").setAttribute("data-post", p.id);
})();
