// The dashboard's table helpers, shared by dashboard.js and reports.js (loaded before
// both): nodes built with textContent only, rows of text or nodes, a table with
// nothing in it saying so, and the console API's JSON. window.DashboardTables.
"use strict";

(function () {
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // a cell of text, or of the node given
  function cell(content) {
    if (!(content instanceof Node)) return el("td", content);
    const td = el("td");
    td.appendChild(content);
    return td;
  }

  function row(cells) {
    const tr = el("tr");
    for (const c of cells) tr.appendChild(cell(c));
    return tr;
  }

  // a table with nothing in it says so, in one cell across its columns
  function nothing(body, sentence) {
    const only = el("td", sentence, "muted empty");
    only.colSpan = body.closest("table").querySelectorAll("thead th").length;
    const tr = el("tr");
    tr.dataset.testid = "empty";
    tr.appendChild(only);
    body.appendChild(tr);
  }

  // the console API's JSON (``options`` for fetch: a POST); signed out: to the
  // sign-in page; refused: an Error with the server's message
  async function call(path, options) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
    if (response.status === 401) {
      window.location.assign("/console/login");
      throw new Error("signed out");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((body.detail && body.detail.message) || "request failed (" + response.status + ")");
    return body;
  }

  window.DashboardTables = { el, clear, row, nothing, call };
})();
