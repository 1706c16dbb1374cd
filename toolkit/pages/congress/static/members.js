// "Call your members" without a page reload. The page works without this script (a list of
// per-state pages); with it, the state picker appears and shows the chosen state's two
// Senators and, once a district is picked, its member, from that state's small JSON file.
(function () {
  "use strict";
  var form = document.querySelector("form.members-picker");
  if (!form || !window.fetch) return;
  var out = document.querySelector(".members-result");
  var t = JSON.parse(form.getAttribute("data-labels"));
  var pages = form.getAttribute("data-pages");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function member(m, share) {
    var links = [];
    if (m.contact_form) links.push(el("a", {href: m.contact_form}, [t.contact_form]));
    if (m.contact_form && m.url) links.push(" · ");
    if (m.url) links.push(el("a", {href: m.url}, [t.website]));
    var parts = [
      el("h4", {}, [m.name]),
      el("p", {"class": "member-role"}, [m.title + " · " + m.party]),
      m.ended ? el("p", {"class": "member-ended", role: "note"}, [el("strong", {}, [m.ended])])
        : m.tel ? el("p", {}, [el("a", {"class": "member-call", href: m.tel},
                                     [t.call + " " + m.name + ": ",
                                      el("span", {"class": "phone"}, [m.phone])])])
        : el("p", {}, [t.no_phone]),
      el("details", {}, [el("summary", {}, [t.call_script]),
                         el("p", {"class": "member-script"}, [m.script])])
    ];
    if (links.length) parts.splice(3, 0, el("p", {}, links));
    if (m.posts.length) {
      var posts = [t.post_to + ": "];
      m.posts.forEach(function (p) {
        posts.push(el("a", {href: share[p.platform] + encodeURIComponent(p.text),
                            "data-platform": p.platform, rel: "noopener", target: "_blank"},
                      [t["post_" + p.platform]]), " ");
      });
      parts.push(el("p", {"class": "member-posts"}, posts));
    }
    return el("article", {"class": "member", id: "member-" + m.id}, parts);
  }

  function render(s) {
    var nodes = [el("h3", {}, [s.name]),
                 el("p", {"class": "members-as-of"}, [t.as_of + " " + s.as_of_text + "."])];
    if (s.stale) nodes.push(el("p", {"class": "members-stale", role: "alert"}, [t.stale]));
    nodes.push(el("h4", {}, [t.senators]));
    if (s.territory) nodes.push(el("p", {}, [t.no_senators]));
    s.senators.forEach(function (m) { nodes.push(member(m, s.share)); });
    nodes.push(el("h4", {}, [t.house]));
    var house = el("div", {"class": "members-house"});
    // every seat, in district order: a member's, or a vacant one (as the state's page lists)
    var seats = s.house.map(function (m) { return {district: m.district, member: m}; })
      .concat((s.vacant_districts || []).map(function (d) { return {district: d, member: null}; }))
      .sort(function (a, b) { return a.district - b.district; });
    function show(i) {
      house.textContent = "";
      var seat = seats[i];
      if (!seat) return;
      if (seat.member) {
        house.appendChild(member(seat.member, s.share));
      } else {
        house.appendChild(el("p", {"class": "members-vacant"}, [
          t.vacant + " ", el("a", {href: s.switchboard.tel}, [s.switchboard.display])]));
      }
    }
    // one seat (at large, DC, a territory): its member at once; else nobody until the
    // supporter picks their district from the ordered list (no wrong office by default)
    if (seats.length > 1) {
      var options = [el("option", {value: ""}, [t.choose_district])];
      seats.forEach(function (seat, i) {
        options.push(el("option", {value: String(i)},
                        [seat.district === 0 ? t.at_large : t.district + " " + seat.district]));
      });
      var select = el("select", {id: "members-district"}, options);
      select.addEventListener("change", function () {
        if (select.value === "") { house.textContent = ""; } else { show(Number(select.value)); }
      });
      nodes.push(el("p", {}, [el("label", {"for": "members-district"}, [t.pick_district + " "]),
                              select]));
    }
    if (s.has_districts) {
      nodes.push(el("p", {}, [el("a", {href: s.house_finder}, [t.house_finder])]));
    }
    nodes.push(house);
    if (seats.length === 1) show(0);
    out.textContent = "";
    nodes.forEach(function (n) { out.appendChild(n); });
  }

  // the picker does the list's job: fold the list of every state's page (open without script)
  var all = document.querySelector("details.members-all");
  if (all) all.open = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var slug = form.elements.state.value;
    fetch(form.getAttribute("data-members-json").replace("{state}", slug))
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(render)
      .catch(function () { window.location.href = pages.replace("{state}", slug); });
  });
})();
