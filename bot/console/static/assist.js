// Agent assist in the console: suggested replies, the tone check of the reply being
// written, and /shortcuts expanded with Tab. Part of the page's window.ConsoleApp
// (console.js makes it and starts the page).
"use strict";

(function () {
  const app = window.ConsoleApp;
  const { state, $ } = app;
  const { el, clear, api } = window.ConsoleKit;

  async function loadSuggestions() {
    const chat = state.chat;
    const list = $("suggestions");
    if (!chat || $("assist").hidden) return;
    let data;
    try {
      data = await api("GET", "chats/" + encodeURIComponent(chat.id) + "/suggestions");
    } catch (e) {
      return;
    }
    if (!state.chat || state.chat.id !== chat.id) return;
    clear(list);
    for (const s of data.suggestions) {
      const button = el("button", { cls: "suggestion", text: s.text, testid: "suggestion", attrs: { type: "button" } });
      button.addEventListener("click", () => {
        $("reply-input").value = s.text;
        $("reply-input").focus();
        checkTone();
      });
      list.appendChild(el("li", {}, [button]));
    }
    state.canned = data.canned || state.canned;
  }

  let toneTimer = null;
  function checkTone() {
    clearTimeout(toneTimer);
    toneTimer = setTimeout(runToneCheck, 300);
  }

  async function runToneCheck() {
    const chat = state.chat;
    const text = $("reply-input").value;
    const list = $("tone-warnings");
    if (!chat || !text.trim()) {
      clear(list);
      return;
    }
    let data;
    try {
      data = await api("POST", "assist/tone", { conversation: chat.id, text });
    } catch (e) {
      return;
    }
    clear(list);
    for (const w of data.warnings) list.appendChild(el("li", { cls: "warning", text: w.message, testid: "tone-warning" }));
  }

  function expandShortcut(event) {
    if (event.key !== "Tab") return;
    const input = $("reply-input");
    const match = /(^|\s)(\/[a-z0-9_-]+)$/.exec(input.value);
    if (!match) return;
    const canned = state.canned.find((c) => c.shortcut === match[2]);
    if (!canned) return;
    event.preventDefault();
    input.value = input.value.slice(0, input.value.length - match[2].length) + canned.text;
    checkTone();
  }

  Object.assign(app, { loadSuggestions, checkTone, expandShortcut });
})();
