// Conveniences only: every page works without this file.
"use strict";
(function () {
  var form = document.getElementById("bulk");
  if (!form) return;
  var all = document.getElementById("pick-all");
  var picked = document.getElementById("picked");
  var boxes = function () { return form.querySelectorAll('input[name="ids"]'); };
  var count = function () {
    var chosen = form.querySelectorAll('input[name="ids"]:checked').length;
    picked.textContent = chosen ? "(" + chosen + " chosen)" : "";
    if (all) all.checked = chosen > 0 && chosen === boxes().length;
  };
  if (all) {
    all.closest(".js-only").hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      count();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "ids") count();
  });
  count();
})();
