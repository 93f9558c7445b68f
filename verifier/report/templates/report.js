(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var table = document.getElementById("refs-table");
  var controls = document.getElementById("controls");
  if (!table || !controls) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var outcome = document.getElementById("filter-outcome");
  var documentFilter = document.getElementById("filter-document");
  var search = document.getElementById("filter-search");
  var reset = document.getElementById("filter-reset");
  var shownCount = document.getElementById("shown-count");
  var noMatch = document.getElementById("no-match");
  controls.hidden = false;

  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function apply() {
    var wantOutcome = outcome.value;
    var wantDocument = documentFilter.value;
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, index) {
      var visible = (!wantOutcome || row.getAttribute("data-outcome") === wantOutcome) &&
        (!wantDocument || row.getAttribute("data-document") === wantDocument) &&
        words.every(function (word) { return texts[index].indexOf(word) !== -1; });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    shownCount.textContent = shown + " of " + rows.length + " shown";
    noMatch.hidden = shown !== 0;
  }

  outcome.addEventListener("change", apply);
  documentFilter.addEventListener("change", apply);
  search.addEventListener("input", apply);
  reset.addEventListener("click", function () {
    outcome.value = "";
    documentFilter.value = "";
    search.value = "";
    apply();
  });

  Array.prototype.forEach.call(document.querySelectorAll(".card[data-outcome]"), function (card) {
    card.addEventListener("click", function () {
      outcome.value = card.getAttribute("data-outcome");
      apply();
    });
  });

  function sortKey(row, column) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-sort");
    return value !== null ? value : cell.textContent.trim();
  }

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (header, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    header.classList.add("sortable");
    button.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      var numeric = header.getAttribute("data-type") !== "text";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var ordered = rows.map(function (row, index) { return { row: row, index: index, key: sortKey(row, column) }; });
      ordered.sort(function (a, b) {
        var order;
        if (numeric) {
          // Rows without a value (no HTTP status) go last whichever way the column is sorted.
          var left = a.key === "" ? null : Number(a.key);
          var right = b.key === "" ? null : Number(b.key);
          if (left === null || right === null) return (left === null) - (right === null) || a.index - b.index;
          order = left - right;
        } else {
          order = collator.compare(a.key, b.key);
        }
        return (ascending ? order : -order) || a.index - b.index;
      });
      ordered.forEach(function (item) { body.appendChild(item.row); });
    });
  });

  apply();
})();
