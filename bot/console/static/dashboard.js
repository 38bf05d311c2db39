// Supervisor dashboard: numbers as text, charts as server-drawn SVG images. Every
// value goes into the page with textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  const { el, clear, row, nothing, call: get } = window.DashboardTables;

  function show(value, suffix) {
    if (value === null || value === undefined) return "–";
    return String(value) + (suffix || "");
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    return seconds < 90 ? Math.round(seconds) + " s" : (seconds / 60).toFixed(1) + " min";
  }

  function pct(value) {
    return value === null || value === undefined ? "–" : Math.round(value * 100) + "%";
  }

  function tile(label, value, testid) {
    const box = el("div", null, "tile");
    box.dataset.testid = testid;
    box.appendChild(el("div", label, "muted"));
    box.appendChild(el("div", value, "value"));
    return box;
  }

  // intensities (0-1) as the console shows them: percentages
  function intensity(value) {
    return value === null || value === undefined ? "–" : Math.round(value * 100) + "%";
  }

  function span(start, end) {
    if ((start === null || start === undefined) && (end === null || end === undefined)) return "–";
    return intensity(start) + " → " + intensity(end);
  }

  const CHART_TITLES = {
    escalations: "Handoffs to a person per day",
    time_to_human: "Time to a human",
    ratings: "Ratings after a person helped",
    agents: "Load per agent",
  };

  async function load() {
    let data;
    try {
      data = await get("/console/api/dashboard");
    } catch (e) {
      $("flash").textContent = e.message;
      $("flash").hidden = false;
      return;
    }
    const o = data.overall;
    const tiles = $("tiles");
    clear(tiles);
    tiles.appendChild(tile("Waiting now", show(o.waiting_now), "tile-waiting"));
    tiles.appendChild(tile("Agents online", show(o.agents_online), "tile-online"));
    tiles.appendChild(tile("Escalation rate", pct(o.escalation_rate), "tile-escalation"));
    tiles.appendChild(tile("Time to a human p50", minutes(o.time_to_human_p50_s), "tile-p50"));
    tiles.appendChild(tile("Time to a human p95", minutes(o.time_to_human_p95_s), "tile-p95"));
    tiles.appendChild(tile("CSAT (1–5)", show(o.csat), "tile-csat"));
    tiles.appendChild(tile("Felt understood (1–5)", show(o.understood), "tile-understood"));
    tiles.appendChild(tile("First-contact resolution", pct(o.first_contact_resolution), "tile-fcr"));
    tiles.appendChild(tile("Intensity start → end", span(o.intensity_start, o.intensity_end), "tile-intensity"));

    const charts = $("charts");
    clear(charts);
    const stamp = Date.now();
    for (const [name, title] of Object.entries(CHART_TITLES)) {
      const figure = el("figure", null, "chart");
      figure.appendChild(el("figcaption", title));
      const empty = (data.charts || {})[name] === false;
      if (empty) {
        const said = el("p", (data.nothing_yet || {})[name] || "Nothing to show yet.", "muted empty");
        said.dataset.testid = "chart-empty";
        figure.appendChild(said);
      } else {
        const img = document.createElement("img");
        img.alt = "chart: " + title;
        img.src = "/console/api/dashboard/charts/" + name + ".svg?t=" + stamp;
        img.dataset.testid = "chart";
        figure.appendChild(img);
      }
      charts.appendChild(figure);
    }

    const agents = $("agents");
    clear(agents);
    for (const a of data.agents) {
      agents.appendChild(row([a.name, a.status + (a.break_suggested ? " (break suggested)" : ""), a.chats + "/" + a.capacity, a.taken_recent, a.recent_intense, intensity(a.taken_intensity), a.intense_shift, a.resolved, show(a.csat), show(a.understood)]));
    }
    if (!data.agents.length) nothing(agents, "No agent accounts yet: add one with python -m bot.admin add-agent.");
    const channels = $("channels");
    clear(channels);
    for (const [name, c] of Object.entries(data.channels)) {
      channels.appendChild(row([name, c.handoffs, minutes(c.time_to_human_p50_s), minutes(c.time_to_human_p95_s), show(c.csat), show(c.understood), span(c.intensity_start, c.intensity_end)]));
    }
    if (!Object.keys(data.channels).length) nothing(channels, "No chat has been handed to a person yet.");
    const flagged = $("flagged");
    clear(flagged);
    for (const f of data.flagged) flagged.appendChild(el("li", (f.customer_name || f.id) + " · re-offered " + f.reoffers + " times"));
    if (!data.flagged.length) flagged.appendChild(el("li", "None.", "muted"));

    try {
      const audit = await get("/console/api/audit?count=50");
      const body = $("audit");
      clear(body);
      for (const e of audit.entries) {
        // a minute of anonymous refusals: its counts ("login:failed=812 ...")
        const outcome = e.outcome === "summary" ? "summary: " + (e.detail || "") : e.outcome || "";
        body.appendChild(row([new Date(e.at * 1000).toLocaleString(), e.action, e.agent || "", e.ticket || "", outcome, e.ip || ""]));
      }
      if (!audit.entries.length) nothing(body, "Nothing recorded yet.");
    } catch (e) {
      /* the numbers above are still useful */
    }
  }

  let csrf = "";

  async function decide(id, decision) {
    if (!csrf) csrf = (await get("/console/api/me")).csrf;
    const response = await fetch("/console/api/assist/proposals/" + encodeURIComponent(id) + "/" + decision, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: "{}",
    });
    $("flash").textContent = response.ok ? "Saved: " + decision + "d." : "That did not work (" + response.status + ").";
    $("flash").hidden = false;
    loadProposals();
  }

  async function loadProposals() {
    const data = await get("/console/api/assist/proposals").catch(() => null);
    if (!data) return; // nothing to show now: the rest of the page stays
    const list = $("proposals");
    clear(list);
    for (const p of data.proposed) {
      const item = el("li");
      item.dataset.testid = "proposal";
      item.appendChild(el("div", p.text));
      item.appendChild(el("div", p.emotion + " · " + p.topic.replace(/_/g, " ") + " · CSAT " + p.csat + ", understood " + p.understood + " · by " + p.proposed_by, "muted"));
      for (const decision of ["approve", "reject"]) {
        const button = el("button", decision === "approve" ? "Approve" : "Reject");
        button.type = "button";
        button.dataset.testid = decision;
        button.addEventListener("click", () => decide(p.id, decision));
        item.appendChild(button);
      }
      list.appendChild(item);
    }
    if (!data.proposed.length) list.appendChild(el("li", "Nothing waiting (" + data.approved.length + " approved so far).", "muted"));
  }

  async function loadEmpathy() {
    const data = await get("/console/api/dashboard/empathy").catch(() => null);
    if (!data) return; // nothing to show now: the rest of the page stays
    const body = $("empathy");
    clear(body);
    const line = (who, b) => {
      const c = b.criteria || {};
      body.appendChild(row([who, b.replies, pct(b.score), pct(c.acknowledged), pct(c.reflected), pct(c.specific), pct(c.personal), pct(c.calm)]));
    };
    if (data.bot.replies) line("the assistant (bot)", data.bot);
    for (const [who, b] of Object.entries(data.agents)) line(who, b);
    if (!body.children.length) nothing(body, "No reply has been scored yet: scores come with the first handoffs.");
    const peer = $("peer");
    clear(peer);
    for (const [who, b] of Object.entries(data.peer || {})) {
      const c = b.criteria || {};
      peer.appendChild(row([who, b.ratings, pct(b.score), pct(c.acknowledged), pct(c.reflected), pct(c.specific), pct(c.personal), pct(c.calm)]));
    }
    if (!Object.keys(data.peer || {}).length) nothing(peer, "No ratings yet: agents rate a colleague's reply with Rate a reply in the console.");
    $("empathy-days").textContent = "Per day: " + (data.days.map((d) => d.day.slice(5) + " " + pct(d.score)).join(" · ") || "no replies yet");
  }

  $("refresh").addEventListener("click", load);
  $("refresh").addEventListener("click", loadProposals);
  $("refresh").addEventListener("click", loadEmpathy);
  loadProposals();
  loadEmpathy();
  load();
  setInterval(load, 30000);
})();
