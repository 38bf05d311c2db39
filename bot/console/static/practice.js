// Practice conversations (docs/console.md, "Training"): pick a scenario, answer the
// simulated customer, read the report. Every text is set with textContent. Uses
// window.ConsoleKit (kit.js); the server decides every reaction (practice.py).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, clear, flash, clock, api, attempt } = window.ConsoleKit;
  const MOOD = { settled: "settled", uneasy: "a little uneasy", upset: "upset", "very upset": "very upset", gone: "gone" };
  const REACTION = { calmer: "calmer", same: "no change", worse: "more upset" };
  const CRITERIA = {
    acknowledged: "acknowledges the feeling",
    reflected: "takes up the concern",
    specific: "gives specific help",
    personal: "is personal",
    calm: "keeps a calm tone",
  };
  const OUTCOME = {
    settled: "The customer calmed down.",
    walked_away: "The customer gave up on us.",
    unresolved: "The chat ran out of turns before the customer settled.",
    ended: "You ended the practice.",
  };
  let current = null; // the practice shown

  function renderScenarios(list) {
    const box = $("scenarios");
    clear(box);
    for (const s of list) {
      const start = el("button", { text: "Start", testid: "scenario-start", attrs: { type: "button", "aria-label": "Start: " + s.title } });
      start.dataset.scenario = s.id;
      start.addEventListener("click", () => begin(s.id));
      box.appendChild(el("li", { cls: "scenario", testid: "scenario" }, [
        el("h3", { text: s.title }),
        el("p", { text: s.name + ": " + s.about }),
        el("p", { cls: "muted", text: s.situation }),
        el("p", {}, [el("span", { cls: "badge " + s.emotion, text: s.emotion })]),
        start,
      ]));
    }
  }

  function renderPractice(p) {
    current = p;
    $("choose").hidden = true;
    $("practice").hidden = false;
    $("practice-title").textContent = "Practice: " + p.scenario.title;
    $("practice-situation").textContent = p.scenario.name + ": " + p.scenario.about + " " + p.scenario.situation;
    const mood = $("practice-mood");
    mood.textContent = p.scenario.name + " is " + (MOOD[p.mood] || p.mood);
    mood.dataset.mood = p.mood;
    mood.className = "badge " + (p.level >= 2 ? p.scenario.emotion : "joy");
    const list = $("practice-transcript");
    clear(list);
    for (const t of p.turns) {
      const customer = t.author === "customer";
      const item = el("li", { cls: t.author, testid: "practice-turn" }, [
        el("span", { cls: "who", text: customer ? p.scenario.name : "You" }),
        el("span", { text: t.text }),
      ]);
      item.dataset.author = t.author;
      if (customer && t.reaction) {
        item.dataset.reaction = t.reaction;
        item.firstChild.appendChild(el("span", { cls: "reaction " + t.reaction, text: REACTION[t.reaction] || t.reaction }));
      }
      list.appendChild(item);
    }
    $("practice-form").hidden = p.finished;
    $("practice-left").textContent = p.finished ? "" : p.replies_left + " replies left";
    if (p.finished) renderReport(p.report);
    else $("practice-input").focus();
  }

  function cardList(reply) {
    const items = [];
    for (const [c, label] of Object.entries(CRITERIA)) {
      const met = !!reply.met[c];
      items.push(el("li", { cls: met ? "met" : "unmet", testid: "report-criterion", text: (met ? "✓ " : "✗ ") + label }));
    }
    return el("ul", { cls: "plain" }, items);
  }

  function renderReport(report) {
    $("report").hidden = false;
    $("report-outcome").textContent = OUTCOME[report.outcome] || report.outcome;
    $("report-score").textContent = report.score === null ? "–" : report.score + " / 100";
    const list = $("report-replies");
    clear(list);
    for (const r of report.replies) {
      const rows = [
        ["The customer wrote", r.answered],
        ["You replied", r.text],
        ["Their reaction", REACTION[r.reaction] || r.reaction],
        ["Scorecard", null],
        ["What calmed them", r.calmed_by.join("; ") || "–"],
        ["What made it worse", [...r.worsened_by, ...r.warnings.map((w) => w.message)].join(" ") || "–"],
        ["A strong reply", r.strong],
      ];
      const dl = el("dl");
      for (const [term, value] of rows) {
        dl.appendChild(el("dt", { text: term }));
        const dd = value === null ? el("dd", {}, [cardList(r)]) : el("dd", { text: value });
        if (term === "A strong reply") dd.dataset.testid = "report-strong";
        dl.appendChild(dd);
      }
      list.appendChild(el("li", { testid: "report-reply" }, [
        el("h3", { text: "Reply " + (list.children.length + 1) + ": " + Math.round(r.score * 5) + " of 5 criteria" }),
        dl,
      ]));
    }
    for (const [id, items] of [["report-calms", report.calms], ["report-worsens", report.worsens]]) {
      clear($(id));
      for (const hint of items) $(id).appendChild(el("li", { text: hint }));
    }
    loadHistory();
  }

  async function begin(scenario) {
    const made = await attempt(() => api("POST", "practice", { scenario }));
    if (made) {
      $("report").hidden = true;
      $("practice-input").value = "";
      renderPractice(made.practice);
    }
  }

  async function send(event) {
    event.preventDefault();
    const input = $("practice-input");
    const text = input.value.trim();
    if (!text || !current) {
      flash("Write a reply first.", "error");
      return;
    }
    const button = $("practice-form").querySelector("button[type=submit]");
    button.disabled = true;
    const done = await attempt(() => api("POST", "practice/" + current.id + "/replies", { text }));
    button.disabled = false;
    if (done) {
      input.value = "";
      renderPractice(done.practice);
    }
  }

  async function finish() {
    if (!current) return;
    const done = await attempt(() => api("POST", "practice/" + current.id + "/end", {}));
    if (done) renderPractice(done.practice);
  }

  function again() {
    current = null;
    $("practice").hidden = true;
    $("report").hidden = true;
    $("choose").hidden = false;
  }

  async function loadHistory() {
    const found = await attempt(() => api("GET", "practice"));
    if (!found) return;
    const list = $("history");
    clear(list);
    for (const p of found.practices) {
      const state = p.finished ? (OUTCOME[p.outcome] || p.outcome) : "in progress";
      const score = p.score === null ? "" : " Score " + p.score + ".";
      list.appendChild(el("li", { testid: "history-item", text: clock(p.started_at) + " · " + p.title + ": " + state + score }));
    }
    $("history-empty").hidden = found.practices.length > 0;
  }

  async function init() {
    const me = await attempt(() => api("GET", "me"));
    if (!me) return;
    window.ConsoleKit.setCsrf(me.csrf);
    const found = await attempt(() => api("GET", "practice/scenarios"));
    if (found) renderScenarios(found.scenarios);
    await loadHistory();
    document.body.dataset.ready = "true";
  }

  $("practice-form").addEventListener("submit", send);
  $("practice-end").addEventListener("click", finish);
  $("practice-again").addEventListener("click", again);
  init();
})();
