// Skill assessments over time (docs/console.md, "Exercises and skills"): the signed-in
// agent's scores by week with a trend line per measure; supervisors also see the team
// and can open anyone's weeks (?agent=<id>). Every text is set with textContent.
// Uses window.ConsoleKit (kit.js).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, clear, api, attempt, plotLine } = window.ConsoleKit;
  const SVG = "http://www.w3.org/2000/svg";
  const TITLE = { practice: "Practice", exercises: "Exercises", automatic: "Automatic empathy", peer: "Peer empathy" };
  const TREND = { up: "improving", down: "slipping", steady: "steady" };

  function cell(value) {
    return el("td", { text: value === null || value === undefined ? "–" : String(Math.round(value)) });
  }

  // a small line of the weeks' values (0-100); weeks without a value are skipped
  function spark(values, label) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 100 40");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    const step = values.length > 1 ? 100 / (values.length - 1) : 0;
    const points = [];
    values.forEach((v, i) => {
      if (v === null) return;
      points.push([i * step, 38 - (v / 100) * 36]);
    });
    plotLine(svg, points, 1.8);
    return svg;
  }

  function renderAgent(found, own) {
    $("agent-title").textContent = own ? "Your skills" : "Skills of " + found.name;
    const trends = $("trends");
    clear(trends);
    for (const m of found.measures) {
      const values = found.weeks.map((w) => w[m]);
      const overall = found.overall[m];
      const word = found.trend[m] ? TREND[found.trend[m]] : "not enough weeks for a trend";
      const label = TITLE[m] + ": " + (overall === null ? "no scores yet" : "mean " + Math.round(overall)) + ", " + word;
      const item = el("li", { testid: "trend" }, [el("h3", { text: TITLE[m] }), el("p", { cls: "small", text: label })]);
      item.dataset.measure = m;
      item.dataset.trend = found.trend[m] || "";
      if (values.some((v) => v !== null)) item.appendChild(spark(values, TITLE[m] + " by week"));
      trends.appendChild(item);
    }
    const rows = $("week-rows");
    clear(rows);
    for (const w of found.weeks) {
      const row = el("tr", { testid: "week-row" }, [el("th", { text: w.week, attrs: { scope: "row" } })]);
      for (const m of found.measures) row.appendChild(cell(w[m]));
      rows.appendChild(row);
    }
    $("weeks-empty").hidden = found.weeks.length > 0;
  }

  function renderTeam(found) {
    $("team").hidden = false;
    const rows = $("team-rows");
    clear(rows);
    for (const a of found.team) {
      const link = el("a", { text: a.name, attrs: { href: "/console/skills?agent=" + encodeURIComponent(a.agent) } });
      const row = el("tr", { testid: "team-row" }, [el("th", { attrs: { scope: "row" } }, [link])]);
      row.appendChild(el("td", { text: a.latest ? a.latest.week : "–" }));
      for (const m of found.measures) {
        const value = a.latest ? a.latest[m] : null;
        const trend = a.trend[m] ? " (" + TREND[a.trend[m]] + ")" : "";
        row.appendChild(el("td", { text: (value === null ? "–" : String(Math.round(value))) + trend }));
      }
      rows.appendChild(row);
    }
    $("team-empty").hidden = found.team.length > 0;
  }

  async function init() {
    const me = await attempt(() => api("GET", "me"));
    if (!me) return;
    window.ConsoleKit.setCsrf(me.csrf);
    const asked = new URLSearchParams(window.location.search).get("agent") || me.account.id;
    if (me.account.role === "supervisor") {
      const team = await attempt(() => api("GET", "skills"));
      if (team) renderTeam(team);
    }
    const found = await attempt(() => api("GET", "skills/" + encodeURIComponent(asked)));
    if (found) renderAgent(found, asked === me.account.id);
    document.body.dataset.ready = "true";
  }

  init();
})();
