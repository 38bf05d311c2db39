// Keyboard shortcuts for the console's whole flow, listed on the help overlay (?).
// Single keys never fire while the agent types in a field (reply box, note, search);
// there Ctrl+Enter sends the reply and Escape leaves the field. The page's own
// buttons do the work (so a shortcut does exactly what its button does); console.js
// lends the waiting list's selection through window.ConsoleApp.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const app = () => window.ConsoleApp;

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    const kind = (target.getAttribute("type") || "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color"].includes(kind);
  }

  function press(id) {
    const button = $(id);
    if (!button || button.disabled || button.hidden || button.offsetParent === null) return false;
    button.click();
    return true;
  }

  function waitingIds() {
    return [...document.querySelectorAll("#queue-list .queue-item")].map((li) => li.dataset.conversation);
  }

  // move the selection in the waiting list by ``step`` (1 down, -1 up)
  function move(step) {
    const ids = waitingIds();
    if (!ids.length) return;
    const at = ids.indexOf(app().selected());
    const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
    app().select(ids[next]);
    const li = document.querySelector('#queue-list .queue-item[data-conversation="' + CSS.escape(ids[next]) + '"]');
    if (li) li.scrollIntoView({ block: "nearest" });
  }

  function claimSelected() {
    const id = app().selected() || (waitingIds().includes(app().openId()) ? app().openId() : null);
    if (id) app().claim(id);
  }

  function openSelected() {
    const id = app().selected();
    if (id) app().open(id);
  }

  // the held chats' tabs: the next (step 1) or previous (-1), or the n-th
  function tab(step, nth) {
    const tabs = [...document.querySelectorAll("#my-chats .tab")];
    if (!tabs.length) return;
    let index;
    if (nth !== undefined) {
      index = nth;
    } else {
      const at = tabs.findIndex((t) => t.getAttribute("aria-current") === "true");
      index = at < 0 ? 0 : (at + step + tabs.length) % tabs.length;
    }
    if (tabs[index]) tabs[index].click();
  }

  function focusReply() {
    const input = $("reply-input");
    if (!input || input.disabled || input.offsetParent === null) return;
    input.focus();
  }

  function sendReply() {
    const form = $("reply-form");
    if (form && !$("reply-send").disabled) form.requestSubmit();
  }

  function help(show) {
    const dialog = $("keys-help");
    if (!dialog) return;
    if (show && !dialog.open) dialog.showModal();
    else if (!show && dialog.open) dialog.close();
  }

  // key -> what it does (the help overlay lists the same)
  const KEYS = {
    "?": () => help(true),
    j: () => move(1),
    k: () => move(-1),
    o: openSelected,
    c: claimSelected,
    n: () => press("claim-next"),
    r: focusReply,
    e: () => press("resolve"),
    "]": () => tab(1),
    "[": () => tab(-1),
  };

  function onKey(event) {
    if (event.defaultPrevented || event.isComposing) return;
    const dialog = $("keys-help");
    if (dialog && dialog.open) return; // the overlay handles its own keys (Escape)
    if (typing(event.target)) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reply-input") {
        event.preventDefault();
        sendReply();
      } else if (event.key === "Escape") {
        event.target.blur();
      }
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-9]$/.test(event.code)) {
      event.preventDefault();
      tab(0, Number(event.code.slice(5)) - 1);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Enter" && event.target === document.body) {
      openSelected();
      return;
    }
    const action = KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  document.addEventListener("keydown", onKey);
  const open = $("keys-open");
  if (open) open.addEventListener("click", () => help(true));
  const close = $("keys-close");
  if (close) close.addEventListener("click", () => help(false));
})();
