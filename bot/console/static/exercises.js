// Emotion-recognition exercises (docs/console.md, "Exercises and skills"): pick a
// customer message, name its emotion, intensity and what it is about, then see the
// score, the analyzer's reading, colleagues' answers and the cues. Every text is set
// with textContent. Uses window.ConsoleKit (kit.js); the server grades.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const { el, clear, flash, words, api, attempt } = window.ConsoleKit;
  const PART = { emotion: "Emotion", intensity: "Intensity", about: "What it is about" };
  let listed = [];
  let answered = new Set();
  let current = null;

  function options(select, values) {
    clear(select);
    for (const v of values) select.appendChild(el("option", { text: words(v), attrs: { value: v } }));
  }

  function renderList() {
    const box = $("exercises");
    clear(box);
    for (const e of listed) {
      const open = el("button", { text: "Read", testid: "exercise-open", attrs: { type: "button", "aria-label": "Read: " + e.text.slice(0, 60) } });
      open.addEventListener("click", () => show(e));
      const item = el("li", { cls: answered.has(e.id) ? "done" : "", testid: "exercise-item" }, [
        el("span", { cls: "text", text: e.text }),
        el("span", { cls: "muted small", text: e.source === "real" ? "real message" : "example" }),
        open,
      ]);
      item.dataset.exercise = e.id;
      box.appendChild(item);
    }
  }

  function show(exercise) {
    current = exercise;
    $("exercise").hidden = false;
    $("result").hidden = true;
    $("exercise-text").textContent = exercise.text;
    $("answer-emotion").focus();
  }

  function renderResult(found) {
    $("result").hidden = false;
    $("result-score").textContent = "Score " + found.score + " / 100";
    const parts = $("result-parts");
    clear(parts);
    const ex = found.exercise;
    const expected = { emotion: words(ex.emotion), intensity: ex.intensity, about: ex.about };
    for (const [part, label] of Object.entries(PART)) {
      const ok = found.right[part];
      if (ok === null) continue;
      const text = (ok ? "✓ " : "✗ ") + label + (ok ? "" : ": expected " + expected[part]);
      parts.appendChild(el("li", { cls: ok ? "met" : "unmet", testid: "result-part", text }));
    }
    const a = found.analyzer;
    $("result-analyzer").textContent = a.available
      ? "Read it as " + words(a.emotion) + ", intensity " + a.intensity.toFixed(2) + " (" + a.band + "): " +
        (a.same_emotion ? "the same feeling as you" : "a different feeling from yours") + "."
      : "The analyzer is not available right now.";
    const c = found.colleagues;
    $("result-colleagues").textContent = c.shown
      ? c.answers + " people answered; " + Math.round(c.agreement * 100) + "% said " + words(c.most_said) +
        ", " + Math.round(c.same_as_me * 100) + "% said the same as you."
      : c.answers + " of " + c.needed + " answers so far; agreement is shown once " + c.needed + " people answered.";
    const cues = $("result-cues");
    clear(cues);
    for (const cue of ex.cues) cues.appendChild(el("li", { testid: "result-cue", text: cue }));
    for (const reason of a.available ? a.reasons : []) {
      cues.appendChild(el("li", { testid: "result-reason", text: "The analyzer noticed: " + reason }));
    }
    $("result-score").focus();
  }

  async function send(event) {
    event.preventDefault();
    if (!current) {
      flash("Pick a message first.", "error");
      return;
    }
    const body = {
      emotion: $("answer-emotion").value,
      intensity: Number($("answer-intensity").value),
      about: $("answer-about").value,
    };
    const button = $("answer-form").querySelector("button[type=submit]");
    button.disabled = true;
    const found = await attempt(() => api("POST", "exercises/" + current.id + "/answers", body));
    button.disabled = false;
    if (!found) return;
    answered.add(current.id);
    renderList();
    renderResult(found);
  }

  function next() {
    const rest = listed.filter((e) => !answered.has(e.id));
    const pick = rest.length ? rest[0] : listed[0];
    if (pick) show(pick);
  }

  async function load() {
    const found = await attempt(() => api("GET", "exercises"));
    if (!found) return;
    listed = found.exercises;
    answered = new Set(found.answered);
    options($("answer-emotion"), found.emotions);
    options($("answer-about"), found.about);
    $("source").textContent = found.real
      ? "Our examples and real customer messages from resolved chats (personal data redacted)."
      : "Our own example messages. Real customer messages are used only when a supervisor switches them on.";
    $("real-toggle").checked = found.real;
    renderList();
  }

  async function toggleReal() {
    const done = await attempt(() => api("POST", "exercises/sources", { real: $("real-toggle").checked }));
    if (done) await load();
  }

  async function init() {
    const me = await attempt(() => api("GET", "me"));
    if (!me) return;
    window.ConsoleKit.setCsrf(me.csrf);
    $("source-switch").hidden = me.account.role !== "supervisor";
    await load();
    document.body.dataset.ready = "true";
  }

  $("answer-intensity").addEventListener("input", () => {
    $("intensity-value").textContent = Number($("answer-intensity").value).toFixed(2);
  });
  $("answer-form").addEventListener("submit", send);
  $("next-exercise").addEventListener("click", next);
  $("real-toggle").addEventListener("change", toggleReal);
  $("result-score").tabIndex = -1;
  init();
})();
