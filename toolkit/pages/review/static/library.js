// The queue forms: the account list offers only the accounts of the chosen platform (the
// server refuses any other; without JavaScript every account is listed).
(function () {
  "use strict";
  document.querySelectorAll("form.queue").forEach(function (form) {
    var platform = form.elements.platform, account = form.elements.account;
    if (!platform || !account) { return; }
    function offer() {
      Array.prototype.forEach.call(account.options, function (option) {
        var other = option.dataset.platform && option.dataset.platform !== platform.value;
        option.hidden = option.disabled = Boolean(other);
        if (other && option.selected) { account.value = ""; }
      });
    }
    platform.addEventListener("change", offer);
    offer();
  });
}());
