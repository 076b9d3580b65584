// The standing office's links: a "Sao chép" button beside each URL (shown only when scripts run; without
// them the URL stays in a read-only box to select and copy by hand).
(function () {
  "use strict";
  function copied(button) {
    var label = button.textContent;
    button.textContent = "Đã sao chép";
    button.classList.add("copied");
    setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 2000);
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      box.focus();
      box.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(function () { copied(button); },
          function () { document.execCommand("copy"); copied(button); });
      } else {
        document.execCommand("copy");
        copied(button);
      }
    });
  });
  document.querySelectorAll("input.url[readonly]").forEach(function (box) {
    box.addEventListener("focus", function () { box.select(); });
  });
})();
