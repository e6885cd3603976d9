// Tessera's pages work without this script; it only improves them.
// The password checklist: each rule of the policy ticks off as the person types. The rules come
// from the page (rendered from the API's policy) and the check from POST /v1/password-policy/check,
// so the page and the API never disagree.
(function () {
  "use strict";
  var list = document.querySelector("[data-password-checklist]");
  if (!list || !window.fetch) { return; }
  var password = document.getElementById(list.getAttribute("data-for"));
  var email = document.getElementById("email");
  if (!password) { return; }
  var met = list.getAttribute("data-met") || "met";
  var notMet = list.getAttribute("data-not-met") || "not met yet";
  var timer = null;
  var latest = 0;
  function show(failed) {
    var items = list.querySelectorAll("li[data-rule]");
    for (var i = 0; i < items.length; i++) {
      var ok = failed.indexOf(items[i].getAttribute("data-rule")) < 0;
      items[i].classList.toggle("met", ok);
      var state = items[i].querySelector(".state");
      if (state) { state.textContent = " (" + (ok ? met : notMet) + ")"; }
    }
  }
  function check() {
    var asked = ++latest;
    var body = { password: password.value };
    if (email && email.value.indexOf("@") > 0) { body.email = email.value.trim(); }
    fetch("/v1/password-policy/check", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && asked === latest) { show(answer.failed || []); }
      })
      .catch(function () { /* the server checks again on submit */ });
  }
  password.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  });
  list.setAttribute("aria-live", "polite");
})();
