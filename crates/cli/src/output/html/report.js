// Draws the findings table from the JSON the page carries, and sorts and filters it in
// the browser. Every value is set as text (textContent), never parsed as markup; the
// state lives in the address's #fragment, so a filtered view can be linked to.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var findings = data.findings;
  var body = document.querySelector("#findings-table tbody");
  var search = document.getElementById("q");
  var show = document.getElementById("show");
  var counter = document.getElementById("count");
  var headers = document.querySelectorAll("#findings-table th[data-sort]");
  var rank = { NON_COMPLIANT: 0, UNVERIFIED: 1, NOT_APPLICABLE: 2, COMPLIANT: 3 };
  var state = { q: "", show: "findings", sort: "verdict", desc: false };

  function readHash() {
    var params = new URLSearchParams(window.location.hash.slice(1));
    state.q = params.get("q") || "";
    state.show = params.get("show") || "findings";
    state.sort = params.get("sort") || "verdict";
    state.desc = params.get("dir") === "desc";
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.show !== "findings") { params.set("show", state.show); }
    if (state.sort !== "verdict" || state.desc) {
      params.set("sort", state.sort);
      params.set("dir", state.desc ? "desc" : "asc");
    }
    try { history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* file: */ }
  }

  function listed(f) {
    if (state.show === "findings" && rank[f.verdict] > 1) { return false; }
    if (state.show !== "findings" && state.show !== "all" && f.verdict !== state.show) {
      return false;
    }
    if (!state.q) { return true; }
    var needle = state.q.toLowerCase();
    return [f.name, f.id, f.cause, f.key, f.account, f.region, f.reason, f.verdict]
      .some(function (v) { return v && String(v).toLowerCase().indexOf(needle) >= 0; });
  }

  function value(f, column) {
    if (column === "verdict") { return rank[f.verdict]; }
    return (f[column] || "").toLowerCase();
  }

  function compare(a, b) {
    var x = value(a.f, state.sort), y = value(b.f, state.sort);
    var order = x < y ? -1 : x > y ? 1 : 0;
    if (state.desc) { order = -order; }
    return order || a.i - b.i; // ties keep the report's order (worst, account, Region, name)
  }

  function add(parent, tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    parent.appendChild(node);
    return node;
  }

  function cell(row, label, text) {
    var td = add(row, "td", text);
    td.setAttribute("data-label", label);
    return td;
  }

  function render() {
    var shown = findings.map(function (f, i) { return { f: f, i: i }; })
      .filter(function (item) { return listed(item.f); });
    shown.sort(compare);
    var rows = document.createDocumentFragment();
    shown.forEach(function (item) {
      var f = item.f;
      var tr = add(rows, "tr");
      tr.className = "finding";
      add(cell(tr, "Verdict"), "span", f.verdict_label, "verdict " + f.verdict);
      cell(tr, "Account", f.account || "");
      cell(tr, "Region", f.region || "");
      var name = cell(tr, "Name", f.name);
      name.className = "name";
      add(name, "span", f.id, "sub");
      var cause = cell(tr, "Cause", f.row ? f.cause + " (row " + f.row + ")" : f.cause);
      add(cause, "span", f.reason, "sub reason");
      cell(tr, "Key", f.key || "");
      var fix = cell(tr, "Fix", f.fix ? f.fix.advice : "");
      if (f.fix && f.fix.command) { add(fix, "code", f.fix.command, "command"); }
      if (f.fix && f.fix.runbook) { add(fix, "span", "or the SSM runbook " + f.fix.runbook, "sub"); }
    });
    body.replaceChildren(rows);
    headers.forEach(function (th) {
      var sorted = th.getAttribute("data-sort") === state.sort;
      th.setAttribute("aria-sort", sorted ? (state.desc ? "descending" : "ascending") : "none");
    });
    counter.textContent = "Showing " + shown.length + " of " + findings.length;
    document.body.setAttribute("data-rendered", String(shown.length));
  }

  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var column = th.getAttribute("data-sort");
      state.desc = state.sort === column ? !state.desc : false;
      state.sort = column;
      writeHash();
      render();
    });
  });
  search.addEventListener("input", function () { state.q = search.value; writeHash(); render(); });
  show.addEventListener("change", function () { state.show = show.value; writeHash(); render(); });
  window.addEventListener("hashchange", function () { readHash(); sync(); render(); });

  function sync() { search.value = state.q; show.value = state.show; }

  readHash();
  sync();
  render();
}());
