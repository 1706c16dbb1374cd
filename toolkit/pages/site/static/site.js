/* #SaveAsylum share kit: copy and share buttons, and the remembered Mastodon server.
   Everything here is an enhancement: without JavaScript the downloads and links still work. */
(function () {
  "use strict";
  var status = document.getElementById("status");

  function say(text) {
    if (status) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); }
  }

  function textOf(id) {
    var el = document.getElementById(id);
    return el ? el.innerText.trim() : "";
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
    return Promise.resolve();
  }

  function flash(button, text) {
    // the button itself says what happened for a moment ("Copied ✓"), then reads as before
    if (!button.hasAttribute("data-label")) { button.setAttribute("data-label", button.textContent); }
    button.textContent = text;
    clearTimeout(button.flashTimer);
    button.flashTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
    }, 2500);
  }

  function tell(button, text) {
    // a visible line under the buttons, for what takes more than a word
    var box = button.closest(".post, .card");
    var said = box ? box.querySelector(".said") : null;
    if (said) { said.textContent = text; }
  }

  function word(name) {
    return status ? status.getAttribute("data-" + name) : "";
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = textOf(button.getAttribute("data-copy"));
      copy(text).then(function () {
        button.setAttribute("data-copied", text);
        flash(button, word("copied"));
        say(word("copied"));
      });
    });
  });

  function download(href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = href.split("/").pop();
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }

  document.querySelectorAll("[data-share-image]").forEach(function (button) {
    button.addEventListener("click", function () {
      var href = button.getAttribute("data-share-image");
      var of = button.getAttribute("data-share-text-of");
      var text = of ? textOf(of) : button.getAttribute("data-share-text");
      var fallback = function () {
        // no sharing with files here: the image downloads and the text goes to the clipboard,
        // and the page says both, on the spot and to screen readers
        download(href);
        copy(text).then(function () {
          button.setAttribute("data-copied", text);
          tell(button, word("fallback"));
          say(word("fallback"));
        });
      };
      if (!navigator.canShare || !window.fetch) { fallback(); return; }
      fetch(href).then(function (r) { return r.blob(); }).then(function (blob) {
        var file = new File([blob], href.split("/").pop(), { type: "image/png" });
        if (!navigator.canShare({ files: [file] })) { fallback(); return; }
        return navigator.share({ files: [file], text: text }).then(function () {
          flash(button, word("shared"));
          say(word("shared"));
        }, function () { /* cancelled: nothing was shared, nothing to say */ });
      }).catch(fallback);
    });
  });

  var KEY = "saveasylum-mastodon-server";
  var form = document.getElementById("mastodon-form");
  var input = document.getElementById("mastodon-server");

  function clean(server) {
    return (server || "").trim().replace(/^https?:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
  }

  function useServer(server) {
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(server)) { return; }
    document.querySelectorAll("a[data-mastodon]").forEach(function (a) {
      var query = a.href.slice(a.href.indexOf("?"));
      a.href = "https://" + server + "/share" + query;
    });
  }

  if (form && input) {
    var saved = null;
    try { saved = localStorage.getItem(KEY); } catch (e) { saved = null; }
    if (saved) { input.value = saved; useServer(saved); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var server = clean(input.value);
      input.value = server;
      try { localStorage.setItem(KEY, server); } catch (e) { /* private mode: this page only */ }
      useServer(server);
    });
  }
})();
