// Typing indicators in the console, both ways: while the agent writes in a chat they
// hold, the customer sees "<agent> is typing" (in the widget, or Telegram's typing
// action); while the customer types in the widget, the open chat shows "<customer> is
// typing…" in a polite live region. At most one typing frame per TYPING_EVERY_MS and
// chat goes out (the server throttles too: bot/typing_notes.py); the indicator goes
// when the customer's message comes or after the seconds the server says. Part of the
// page's window.ConsoleApp (console.js makes it and starts the page).
"use strict";

(function () {
  const app = window.ConsoleApp;
  const { state, $ } = app;
  const TYPING_EVERY_MS = 3000;
  const sentAt = new Map(); // conversation id -> when its last typing frame went out
  let hideTimer = null;

  // the agent types in the reply box
  function typed() {
    const chat = state.chat;
    if (!chat || !state.mine.has(chat.id) || !$("reply-input").value.trim()) return;
    const now = Date.now();
    const last = sentAt.get(chat.id) || 0;
    if (now - last < TYPING_EVERY_MS && now >= last) return;
    if (app.send({ type: "typing", conversation: chat.id })) sentAt.set(chat.id, now);
  }

  // the server says the customer of a held chat is typing
  function showTyping(frame) {
    const chat = state.chat;
    if (!chat || chat.id !== frame.conversation || frame.author !== "customer") return;
    const text = $("chat-typing-text");
    text.textContent = (chat.customer || "The customer") + " is typing…";
    text.hidden = false;
    clearTimeout(hideTimer);
    const seconds = typeof frame.for_s === "number" ? frame.for_s : 6;
    hideTimer = setTimeout(hideTyping, seconds * 1000);
  }

  function hideTyping() {
    clearTimeout(hideTimer);
    hideTimer = null;
    const text = $("chat-typing-text");
    text.hidden = true;
    text.textContent = "";
  }

  Object.assign(app, { typed, showTyping, hideTyping });
})();
