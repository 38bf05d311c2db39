// Burnout care in the console (docs/console.md, "Breaks"): after a run of intense
// chats the queue suggests a break; this shows it as a banner with a button that
// pauses new chats (the page's own presence toggle: away keeps the chats one holds),
// a countdown of the break (its end kept in localStorage, so a reload keeps it) and
// the way back online. console.js announces each GET /console/api/me as "console:me".
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, clear } = window.ConsoleKit;
  const KEY = "console-break";
  const box = el("section", { cls: "break-banner", testid: "break-banner", attrs: { "aria-label": "Break" } });
  box.hidden = true;
  $("flash").after(box);
  let me = null;
  let timer = null;
  let dismissed = -1; // the run of intense chats the agent said "not now" to

  function saved() {
    try {
      const found = JSON.parse(localStorage.getItem(KEY) || "null");
      return found && typeof found.until === "number" ? found : null;
    } catch (e) {
      return null;
    }
  }

  function left(until) {
    return Math.max(0, Math.ceil((until - Date.now()) / 1000));
  }

  function minutes(seconds) {
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function button(text, testid, action) {
    const b = el("button", { text, testid, attrs: { type: "button" } });
    b.addEventListener("click", action);
    return b;
  }

  function countdown(line, until) {
    const s = left(until);
    line.textContent = s > 0
      ? "On a break: " + minutes(s) + " left. New chats are paused; the chats you hold stay yours."
      : "Your break is over. Go online when you are ready.";
    if (s === 0) stop();
  }

  function stop() {
    clearInterval(timer);
    timer = null;
  }

  function render() {
    stop();
    clear(box);
    box.hidden = true;
    if (!me) return;
    const p = me.presence;
    const length = me.break_minutes || 10;
    const pause = saved();
    // the page's own toggle is the latest word on the presence: an answer that still
    // says "online" while it shows away, with a break saved, was sent before the
    // click (or arrived after a newer one) and neither ends the break nor hides it
    const toggle = $("presence-toggle");
    const status = pause && p.status === "online" && toggle && toggle.dataset.status === "away"
      ? "away"
      : p.status;
    if (pause && status === "away") {
      if (!pause.seen) {
        // the page has seen the break begin: "online" from now on ends it
        pause.seen = true;
        localStorage.setItem(KEY, JSON.stringify(pause));
      }
      const line = el("p", { testid: "break-timer", attrs: { role: "timer" } });
      countdown(line, pause.until);
      if (left(pause.until) > 0) timer = setInterval(() => countdown(line, pause.until), 1000);
      box.append(line, button("Back online", "break-end", () => {
        localStorage.removeItem(KEY);
        if ($("presence-toggle").dataset.status === "away") $("presence-toggle").click();
      }));
      box.hidden = false;
      return;
    }
    // online again by the toggle; not an answer about the presence sent before the
    // break began (a poll in flight when "Take a break" was clicked), which would
    // end the break before it started
    if (pause && (pause.seen || left(pause.until) === 0)) localStorage.removeItem(KEY);
    if (status === "online" && p.break_suggested && p.intense_run !== dismissed) {
      box.append(
        el("p", { testid: "break-suggestion", text: "You've taken " + p.intense_run + " intense chats in a row. A " + length + "-minute break helps you stay patient with the next customer." }),
        button("Take a " + length + "-minute break", "break-start", () => {
          localStorage.setItem(KEY, JSON.stringify({ until: Date.now() + length * 60000 }));
          if ($("presence-toggle").dataset.status === "online") $("presence-toggle").click();
        }),
        button("Not now", "break-dismiss", () => {
          dismissed = p.intense_run;
          render();
        }),
      );
      box.hidden = false;
    }
  }

  document.addEventListener("console:me", (event) => {
    me = event.detail;
    render();
  });
})();
