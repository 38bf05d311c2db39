// The dashboard's periods and reports: the numbers of any range of days against the
// days before (and a marked baseline), what works per family of empathetic phrases,
// the generated reports with their files, and marking a baseline. Every value goes
// into the page with textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let csrf = "";

  const { el, clear, row, nothing, call } = window.DashboardTables;

  function flash(text) {
    $("flash").textContent = text;
    $("flash").hidden = false;
  }

  function day(date) {
    return date.toISOString().slice(0, 10);
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "string") return value; // "too few to tell"
    return (digits === "signed" && value > 0 ? "+" : "") + value.toFixed(2);
  }

  async function showRange(event) {
    if (event) event.preventDefault();
    const query = new URLSearchParams({ start: $("range-start").value, end: $("range-end").value, baseline: $("range-baseline").value });
    let data;
    try {
      data = await call("/console/api/dashboard/range?" + query.toString());
    } catch (e) {
      $("range-said").textContent = e.message;
      return;
    }
    let said = data.period.start + " to " + data.period.end + " (UTC) against " + data.previous.start + " to " + data.previous.end;
    if (data.baseline) said += " and the baseline " + data.baseline;
    $("range-said").textContent = said + ".";
    const head = $("range-head");
    clear(head);
    const tr = el("tr");
    data.rows[0].forEach((c, i) => tr.appendChild(el("th", i === 0 ? "Number" : c)));
    head.appendChild(tr);
    const body = $("range-body");
    clear(body);
    for (const r of data.rows.slice(1)) body.appendChild(row(r));
    const works = $("works");
    clear(works);
    const w = data.what_works;
    $("works-note").textContent = "Intensity change: the customer's feeling intensity (0–1) in their next message minus in the message the reply answered (negative: calmer). CSAT and empathy: the ratings of the conversations that used the phrase. Fewer than " + w.min_count + " cases: too few to tell.";
    for (const r of w.rows) {
      const name = r.example ? r.family + " (“" + r.example + "”)" : r.family;
      works.appendChild(row([name, r.uses, r.conversations, r.next_turns, number(r.intensity_change, "signed"), r.rated, number(r.csat), number(r.empathy)]));
    }
    if (!w.rows.length) nothing(works, "No empathetic phrase was used in this period.");
  }

  async function mark(body) {
    try {
      if (!csrf) csrf = (await call("/console/api/me")).csrf;
      await call("/console/api/reports/baseline", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      flash(body.period ? "Baseline marked: " + body.period + "." : "The " + body.unmark + "ly baseline is forgotten.");
    } catch (e) {
      flash(e.message);
    }
    loadReports();
  }

  async function loadReports() {
    const data = await call("/console/api/reports").catch(() => null);
    if (!data) return; // nothing to show now: the rest of the page stays
    const b = data.baselines;
    $("baselines").textContent = "Weekly baseline: " + (b.week || "none") + " · Monthly baseline: " + (b.month || "none");
    const body = $("reports");
    clear(body);
    for (const r of data.reports) {
      const files = el("span");
      for (const kind of ["html", "pdf"]) {
        const link = el("a", kind.toUpperCase());
        link.href = r[kind];
        link.dataset.testid = "report-" + kind;
        files.appendChild(link);
        files.appendChild(document.createTextNode(" "));
      }
      const marked = b[r.kind] === r.period;
      const button = el("button", marked ? "Unmark baseline" : "Mark as baseline");
      button.type = "button";
      button.dataset.testid = "mark-baseline";
      button.setAttribute("aria-label", (marked ? "Unmark baseline " : "Mark as baseline ") + r.period);
      button.addEventListener("click", () => mark(marked ? { unmark: r.kind } : { period: r.period }));
      const tr = row([r.period + (marked ? " (baseline)" : ""), r.start + " to " + r.end, new Date(r.written_at * 1000).toLocaleString(), files, button]);
      tr.dataset.testid = "report";
      body.appendChild(tr);
    }
    if (!data.reports.length) nothing(body, "No report yet: python -m bot.report writes one, and the gateway e-mails last week's and last month's.");
  }

  const today = new Date();
  $("range-end").value = day(today);
  $("range-start").value = day(new Date(today.getTime() - 27 * 86400000));
  $("range-form").addEventListener("submit", showRange);
  $("refresh").addEventListener("click", loadReports);
  showRange();
  loadReports();
})();
