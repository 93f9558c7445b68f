(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  root.setAttribute("data-ready", "false");

  // A filter pass faster than this runs on every keystroke, so typing and the table never disagree;
  // after a slower one (a huge report, a slow phone) the keystrokes of a burst wait for a pause.
  var SLOW_PASS_MS = 30;
  var TYPING_PAUSE_MS = 80;
  var PAGE_SIZE = 50;

  var source = document.getElementById("report-data");
  var table = document.getElementById("refs-table");
  var controls = document.getElementById("controls");
  if (!source || !table || !controls) {
    root.setAttribute("data-ready", "true");
    return;
  }
  var data = JSON.parse(source.textContent);
  var outcomes = data.outcomes;
  var labels = data.labels;
  var paths = data.paths;
  var links = data.links;
  var reasons = data.reasons;
  var rows = data.rows;
  var total = rows.length;

  var rowOutcome = new Uint8Array(total);
  var rowPath = new Uint32Array(total);
  for (var i = 0; i < total; i += 1) {
    rowOutcome[i] = links[rows[i][0]][1];
    rowPath[i] = rows[i][1];
  }
  var pathIndex = Object.create(null);
  paths.forEach(function (path, index) { pathIndex[path] = index; });

  var numbers = new Intl.NumberFormat("en");
  function count(value) { return numbers.format(value); }

  // The same rule as the page's markup (html.text_lang): CJK text gets a lang so the right glyphs are used.
  var KANA = /[\u3040-\u30ff]/;
  var HANGUL = /[\uac00-\ud7af\u1100-\u11ff]/;
  var HAN = /[\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f]/;
  var ASCII = /^[\x00-\x7f]*$/;
  function textLang(value) {
    if (!value || ASCII.test(value)) return null;
    if (KANA.test(value)) return "ja";
    if (HANGUL.test(value)) return "ko";
    return HAN.test(value) ? "zh" : null;
  }

  // Every piece of document text goes in through textContent or an attribute, never as markup.
  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }
  function withLang(element, value) {
    var lang = textLang(value);
    if (lang) element.setAttribute("lang", lang);
    return element;
  }
  function docText(value) { return withLang(node("span", null, value), value); }
  function cell(label, className) {
    var element = node("td", className);
    element.setAttribute("data-label", label);
    return element;
  }
  function muted(text) { return node("span", "muted", text); }

  function shownUrl(url) { return url.length > 1 ? url[1] : url[0]; }
  var WEB = /^https?:\/\//i;
  function urlLink(url, label) {
    var shown = label !== undefined ? label : shownUrl(url);
    var href = url[0];
    // The report decided which addresses are web links; checking again costs nothing.
    if (href && WEB.test(href)) {
      var anchor = withLang(node("a", "url", shown), shown);
      anchor.setAttribute("href", href);
      anchor.setAttribute("rel", "noopener noreferrer");
      return anchor;
    }
    var inert = node("span", "url inert", shown);
    inert.title = "not a web address; not made clickable";
    return inert;
  }
  function badge(outcome) { return node("span", "badge badge-" + outcome, labels[outcome] || outcome); }

  // Row fields: [link, path, line, column, footnote, text, accessed, citation archive url].
  // Link fields: [url, outcome, reason index, status, redirects, snapshot url, snapshot date, original outcome,
  // content drift as [cited title, title found, similarity as shown]].
  function redirectsOf(link) { return link[4] || []; }
  function archiveLabel(link) { return link[5] ? (link[6] || "snapshot") : ""; }

  // The same notice as the page's markup (the drift_badge macro).
  function driftNote(drift) {
    var note = node("div", "drift-note");
    note.appendChild(node("span", "tag tag-drift", "content drift"));
    note.appendChild(document.createTextNode(" "));
    var text = note.appendChild(node("span", "small", "cited as “"));
    text.appendChild(docText(drift[0]));
    text.appendChild(document.createTextNode("”; the page now shows “"));
    text.appendChild(docText(drift[1]));
    text.appendChild(document.createTextNode("” (" + drift[2] + " alike)"));
    return note;
  }

  function referenceRow(index) {
    var row = rows[index];
    var link = links[row[0]];
    var outcome = outcomes[link[1]];
    var path = paths[row[1]];
    var tr = node("tr");
    tr.setAttribute("data-outcome", outcome);
    tr.setAttribute("data-document", path);
    tr.appendChild(withLang(cell("Document", "path"), path)).textContent = path;
    tr.appendChild(cell("Line", "num")).textContent = row[2] + ":" + row[3];
    var td = tr.appendChild(cell("Footnote"));
    if (row[4]) td.appendChild(docText(row[4]));
    td = tr.appendChild(cell("Link text"));
    if (row[5]) td.appendChild(docText(row[5]));
    tr.appendChild(cell("URL", "small")).appendChild(urlLink(link[0]));
    td = tr.appendChild(cell("Outcome"));
    td.appendChild(badge(outcome));
    if (link[7]) td.appendChild(node("div", "small muted", "original: " + link[7]));
    if (link[8]) td.appendChild(driftNote(link[8]));
    tr.appendChild(cell("Reason")).textContent = reasons[link[2]];
    tr.appendChild(cell("HTTP", "num")).textContent = link[3] === null || link[3] === undefined ? "—" : String(link[3]);
    td = tr.appendChild(cell("Redirects", "small"));
    var hops = redirectsOf(link);
    if (hops.length) {
      var chain = td.appendChild(node("ol", "chain"));
      hops.forEach(function (hop) { chain.appendChild(node("li")).appendChild(urlLink(hop)); });
    } else {
      td.appendChild(muted("—"));
    }
    td = tr.appendChild(cell("Archive", "small"));
    td.appendChild(link[5] ? urlLink(link[5], archiveLabel(link)) : muted("—"));
    return tr;
  }

  function daysBetween(earlier, later) {
    if (!earlier || !later) return null;
    var from = Date.parse(earlier.slice(0, 10));
    var to = Date.parse(later.slice(0, 10));
    return isNaN(from) || isNaN(to) ? null : Math.round((to - from) / 86400000);
  }
  function plural(number, word) { return number + " " + word + (number === 1 ? "" : "s"); }

  function fixRow(index) {
    var row = rows[index];
    var link = links[row[0]];
    var outcome = outcomes[link[1]];
    var path = paths[row[1]];
    var tr = node("tr", "outcome-" + outcome);
    tr.appendChild(cell("Status")).appendChild(badge(outcome));
    var td = tr.appendChild(cell("Cited in"));
    var where = td.appendChild(node("span", "where"));
    where.appendChild(withLang(node("span", "path", path), path));
    where.appendChild(node("span", "line", ":" + row[2] + ":" + row[3]));
    if (row[4]) {
      var note = td.appendChild(node("div", "footnote", "footnote "));
      note.appendChild(withLang(node("span", "label", "[" + row[4] + "]"), row[4]));
    }
    td = tr.appendChild(cell("Source", "source"));
    if (row[5]) td.appendChild(node("div", "link-text")).appendChild(docText(row[5]));
    td.appendChild(node("div", "small")).appendChild(urlLink(link[0]));
    td = tr.appendChild(cell("Why it failed", "reason"));
    td.appendChild(document.createTextNode(reasons[link[2]]));
    var hops = redirectsOf(link);
    if (hops.length) {
      var after = td.appendChild(node("div", "small muted", "after " + plural(hops.length, "redirect") + " to "));
      after.appendChild(urlLink(hops[hops.length - 1]));
    }
    td = tr.appendChild(cell("Replacement", "replacement"));
    var accessed = row[6];
    if (link[5]) {
      td.appendChild(node("div")).appendChild(urlLink(link[5], "Snapshot of " + (link[6] || "an unknown date")));
      var dates = td.appendChild(node("dl", "dates"));
      dates.appendChild(node("dt", null, "Snapshot"));
      dates.appendChild(node("dd", null, link[6] || ""));
      dates.appendChild(node("dt", null, "Accessed"));
      dates.appendChild(node("dd", null, accessed || "not stated"));
      var gap = daysBetween(accessed, link[6]);
      if (gap !== null && gap !== 0) {
        td.appendChild(node("div", "small muted", "snapshot taken " + plural(Math.abs(gap), "day") + " " +
          (gap > 0 ? "after" : "before") + " the access date"));
      }
    } else {
      td.appendChild(node("div", "none", "No good snapshot"));
      td.appendChild(node("div", "small muted",
        "Find another source or remove the citation." + (accessed ? " Accessed " + accessed + "." : "")));
    }
    if (row[7]) {
      var named = td.appendChild(node("div", "small", "The citation already names "));
      named.appendChild(urlLink(row[7], "an archive copy"));
      named.appendChild(document.createTextNode("."));
    }
    return tr;
  }

  // A table body showing one page of an ordered list of row indices, with its page buttons.
  function Pages(body, nav, render) {
    this.body = body;
    this.nav = nav;
    this.render = render;
    this.order = [];
    this.page = 0;
    this.label = nav.querySelector(".page-of");
    var self = this;
    Array.prototype.forEach.call(nav.querySelectorAll("button[data-page]"), function (button) {
      button.addEventListener("click", function () {
        var last = self.pages() - 1;
        var to = { first: 0, previous: self.page - 1, next: self.page + 1, last: last }[button.getAttribute("data-page")];
        self.page = Math.max(0, Math.min(last, to));
        self.draw();
        var top = body.parentNode.getBoundingClientRect().top;
        if (top < 0) body.parentNode.scrollIntoView({ block: "start" });
      });
    });
  }
  Pages.prototype.pages = function () { return Math.max(1, Math.ceil(this.order.length / PAGE_SIZE)); };
  Pages.prototype.show = function (order) {
    this.order = order;
    this.page = 0;
    this.draw();
  };
  Pages.prototype.first = function () { return this.page * PAGE_SIZE; };
  Pages.prototype.end = function () { return Math.min(this.order.length, this.first() + PAGE_SIZE); };
  Pages.prototype.draw = function () {
    var fragment = document.createDocumentFragment();
    for (var k = this.first(), end = this.end(); k < end; k += 1) fragment.appendChild(this.render(this.order[k]));
    this.body.replaceChildren(fragment);
    var pages = this.pages();
    this.nav.hidden = pages <= 1;
    this.label.textContent = "Page " + count(this.page + 1) + " of " + count(pages);
    var buttons = this.nav.querySelectorAll("button[data-page]");
    buttons[0].disabled = buttons[1].disabled = this.page === 0;
    buttons[2].disabled = buttons[3].disabled = this.page === pages - 1;
    if (this.onDraw) this.onDraw();
  };

  Array.prototype.forEach.call(document.querySelectorAll(".static-only"), function (note) { note.hidden = true; });

  var fixTable = document.getElementById("fix-table");
  if (fixTable) {
    var fixOrder = [];
    data.fix.forEach(function (name) {
      var wanted = outcomes.indexOf(name);
      for (var index = 0; index < total; index += 1) if (rowOutcome[index] === wanted) fixOrder.push(index);
    });
    new Pages(fixTable.tBodies[0], document.getElementById("fix-pager"), fixRow).show(fixOrder);
  }

  var outcome = document.getElementById("filter-outcome");
  var documentFilter = document.getElementById("filter-document");
  var search = document.getElementById("filter-search");
  var reset = document.getElementById("filter-reset");
  var shownCount = document.getElementById("shown-count");
  var noMatch = document.getElementById("no-match");
  var references = new Pages(table.tBodies[0], document.getElementById("refs-pager"), referenceRow);
  var matched = 0;
  references.onDraw = function () {
    if (matched <= PAGE_SIZE) {
      shownCount.textContent = count(matched) + " of " + count(total) + " shown";
    } else {
      shownCount.textContent = count(references.first() + 1) + "–" + count(references.end()) + " of " +
        count(matched) + (matched < total ? " matching (" + count(total) + " in all)" : " shown");
    }
  };
  controls.hidden = false;

  // One lower-cased string per reference holding what its row shows, built once, when first searched.
  var haystack = null;
  function buildHaystack() {
    var perLink = links.map(function (link) {
      var parts = [shownUrl(link[0]), labels[outcomes[link[1]]], link[7] ? "original: " + link[7] : "",
        link[8] ? "content drift " + link[8][0] + " " + link[8][1] : "", reasons[link[2]],
        link[3] === null || link[3] === undefined ? "" : link[3], archiveLabel(link)];
      redirectsOf(link).forEach(function (hop) { parts.push(shownUrl(hop)); });
      return parts.join(" ");
    });
    haystack = new Array(total);
    for (var index = 0; index < total; index += 1) {
      var row = rows[index];
      haystack[index] = (paths[row[1]] + " " + row[2] + ":" + row[3] + " " + (row[4] || "") + " " +
        (row[5] || "") + " " + perLink[row[0]]).toLowerCase();
    }
  }

  var sorted = null; // row indices in the chosen column's order; null for document order

  var lastPassMs = 0;
  function apply() {
    var started = performance.now();
    var wantOutcome = outcome.value ? outcomes.indexOf(outcome.value) : -1;
    var wantPath = documentFilter.value ? pathIndex[documentFilter.value] : -1;
    if (wantPath === undefined) wantPath = -2;
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && haystack === null) buildHaystack();
    var wordCount = words.length;
    var found = [];
    for (var k = 0; k < total; k += 1) {
      var index = sorted === null ? k : sorted[k];
      if (wantOutcome >= 0 && rowOutcome[index] !== wantOutcome) continue;
      if (wantPath !== -1 && rowPath[index] !== wantPath) continue;
      if (wordCount) {
        var text = haystack[index];
        var every = true;
        for (var w = 0; w < wordCount; w += 1) {
          if (text.indexOf(words[w]) === -1) { every = false; break; }
        }
        if (!every) continue;
      }
      found.push(index);
    }
    matched = found.length;
    references.show(found);
    noMatch.hidden = matched !== 0;
    lastPassMs = performance.now() - started;
  }

  var typing = 0;
  var lastInput = -Infinity;
  search.addEventListener("input", function () {
    var now = performance.now();
    var burst = now - lastInput < TYPING_PAUSE_MS;
    lastInput = now;
    if (typing) clearTimeout(typing);
    typing = 0;
    // The first keystroke after a pause is always answered at once.
    if (lastPassMs < SLOW_PASS_MS || !burst) {
      apply();
    } else {
      typing = setTimeout(function () { typing = 0; apply(); }, TYPING_PAUSE_MS);
    }
  });
  outcome.addEventListener("change", apply);
  documentFilter.addEventListener("change", apply);
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

  // Sort keys per column; null (no HTTP status) goes last whichever way a column is sorted.
  var KEYS = [
    function (row) { return paths[row[1]]; },
    function (row) { return row[2] * 1e6 + row[3]; },
    function (row) { return row[4] || ""; },
    function (row) { return row[5] || ""; },
    function (row, link) { return shownUrl(link[0]); },
    function (row, link) { return link[1]; },
    function (row, link) { return reasons[link[2]]; },
    function (row, link) { return link[3] === null || link[3] === undefined ? null : link[3]; },
    function (row, link) { return redirectsOf(link).map(shownUrl).join(" "); },
    function (row, link) { return archiveLabel(link); },
  ];
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
      var keyOf = KEYS[column];
      var keys = new Array(total);
      var order = new Array(total);
      for (var index = 0; index < total; index += 1) {
        keys[index] = keyOf(rows[index], links[rows[index][0]]);
        order[index] = index;
      }
      var compare = numeric
        ? function (a, b) { return keys[a] - keys[b]; }
        : function (a, b) { return collator.compare(keys[a], keys[b]); };
      order.sort(function (a, b) {
        var left = keys[a];
        var right = keys[b];
        if (left === null || right === null) return (left === null) - (right === null) || a - b;
        var result = compare(a, b);
        return (ascending ? result : -result) || a - b;
      });
      sorted = order;
      apply();
    });
  });

  apply();
  root.setAttribute("data-ready", "true");
  if (window.performance && performance.mark) performance.mark("report-ready");
  // Built while the reader looks at the page, so the first search does not pay for it.
  (window.requestIdleCallback || setTimeout)(function () { if (haystack === null) buildHaystack(); });
})();
