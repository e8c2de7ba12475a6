// A strength meter under every new-password field (input[data-password-meter]).
// A rough guide only: the server decides (length, common passwords, personal details).
(function () {
  "use strict";
  var COMMON = /^(password|qwerty|123456|111111|abc123|letmein|iloveyou|admin|welcome|monkey|dragon)/i;

  function score(value) {
    if (!value) { return 0; }
    var classes = 0;
    [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].forEach(function (re) { if (re.test(value)) { classes += 1; } });
    var distinct = new Set(Array.from(value)).size;
    var length = Array.from(value).length;
    if (length < 12 || distinct < 5) { return 1; }
    var points = 1 + Math.min(2, Math.floor((length - 12) / 4)) + (classes >= 3 ? 1 : 0);
    if (COMMON.test(value) || distinct < length / 3) { points = Math.max(1, points - 2); }
    return Math.min(4, points);
  }

  document.querySelectorAll("input[data-password-meter]").forEach(function (input) {
    var labels = (document.body.dataset.passwordLabels || "").split("|");
    var meter = document.createElement("meter");
    meter.min = 0; meter.max = 4; meter.low = 2; meter.high = 3; meter.optimum = 4; meter.value = 0;
    meter.className = "password-meter w-100 mt-1";
    var text = document.createElement("div");
    text.className = "form-text password-meter-text";
    text.setAttribute("aria-live", "polite");
    meter.setAttribute("aria-hidden", "true");
    input.insertAdjacentElement("afterend", text);
    input.insertAdjacentElement("afterend", meter);
    input.addEventListener("input", function () {
      var s = score(input.value);
      meter.value = s;
      text.textContent = input.value ? (labels[s] || "") : "";
    });
  });
})();
