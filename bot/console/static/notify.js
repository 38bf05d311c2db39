// The console's alerts: a short sound (made with WebAudio, no audio file) and a
// browser notification when a new chat at or above the priority the agent chose joins
// the queue, and the waiting and unread counts in the tab title. Each is switched on
// or off in the Alerts menu and remembered in this browser (localStorage).
// console.js calls ConsoleNotify.queue(items) with every queue it shows and
// ConsoleNotify.counts(waiting, unread) when either count changes.
"use strict";

(function () {
  const KEY = "console-alerts";
  const DEFAULTS = { sound: true, notify: true, title: true, level: 60 };
  const TITLE = document.title;
  let settings = load();
  let known = null; // ids of the chats already seen waiting (null: no queue yet)
  let audio = null;
  let opener = null; // how to open a chat when its notification is clicked

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(KEY) || "{}");
      return { ...DEFAULTS, ...(saved && typeof saved === "object" ? saved : {}) };
    } catch (e) {
      return { ...DEFAULTS };
    }
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(settings));
    } catch (e) {
      /* private mode: the choice lasts for this page */
    }
  }

  function beep() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume().catch(() => {});
      const now = audio.currentTime;
      for (const [i, freq] of [[0, 880], [1, 1175]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = freq;
        const start = now + i * 0.16;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.15);
        tone.connect(gain).connect(audio.destination);
        tone.start(start);
        tone.stop(start + 0.16);
      }
    } catch (e) {
      /* no sound device: the notification and the title still tell */
    }
  }

  function notify(item) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const who = item.customer_name || (item.channel || "chat") + " customer";
    const what = [item.emotion + " " + Math.round(item.intensity * 100) + "%"];
    for (const flag of item.flags || []) what.push(String(flag).replace(/_/g, " "));
    try {
      const shown = new Notification("New chat: " + who, {
        body: (item.latest ? item.latest + "\n" : "") + what.join(", "),
        tag: "chat-" + item.id,
      });
      shown.onclick = () => {
        window.focus();
        if (opener) opener(item.id);
        shown.close();
      };
    } catch (e) {
      /* a browser without page notifications (some phones) */
    }
  }

  // every queue the page shows: alert once for each chat that is new since the last
  function queue(items) {
    const fresh = known === null ? [] : items.filter((i) => !known.has(i.id));
    known = new Set(items.map((i) => i.id));
    const urgent = fresh.filter((i) => i.priority >= settings.level);
    if (!urgent.length) return;
    document.body.dataset.alerted = String(Number(document.body.dataset.alerted || 0) + urgent.length);
    if (settings.sound) beep();
    if (settings.notify) for (const item of urgent.slice(0, 3)) notify(item);
  }

  let last = { waiting: 0, unread: 0 };
  function counts(waiting, unread) {
    last = { waiting, unread };
    const parts = [];
    if (settings.title && waiting) parts.push(waiting + " waiting");
    if (settings.title && unread) parts.push(unread + " unread");
    document.title = parts.length ? "(" + parts.join(", ") + ") " + TITLE : TITLE;
  }

  function permissionNote() {
    const note = document.getElementById("alert-permission");
    if (!note) return;
    if (!("Notification" in window)) note.textContent = "This browser has no notifications.";
    else if (Notification.permission === "denied") note.textContent = "Notifications are blocked in this browser's site settings.";
    else if (Notification.permission === "default" && settings.notify) note.textContent = "The browser will ask to allow notifications.";
    else note.textContent = "";
  }

  function bind() {
    const box = (id) => document.getElementById(id);
    for (const [id, name] of [["alert-sound", "sound"], ["alert-notify", "notify"], ["alert-title", "title"]]) {
      const input = box(id);
      if (!input) continue;
      input.checked = Boolean(settings[name]);
      input.addEventListener("change", () => {
        settings[name] = input.checked;
        save();
        if (name === "notify" && input.checked && "Notification" in window && Notification.permission === "default") {
          Notification.requestPermission().then(permissionNote, permissionNote);
        }
        if (name === "sound" && input.checked) beep(); // what it sounds like
        counts(last.waiting, last.unread);
        permissionNote();
      });
    }
    const level = box("alert-level");
    if (level) {
      level.value = String(settings.level);
      if (level.value !== String(settings.level)) level.value = String(DEFAULTS.level);
      level.addEventListener("change", () => {
        settings.level = Number(level.value);
        save();
      });
    }
    permissionNote();
    // the menu closes on a click elsewhere or Escape
    const menu = box("alerts");
    if (menu) {
      document.addEventListener("click", (event) => {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
      menu.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    }
    // notifications are on unless switched off: the browser asks once, at the
    // agent's first click in the page (browsers want a person's gesture for it)
    document.addEventListener("click", askOnce, { once: true, capture: true });
  }

  function askOnce() {
    if (settings.notify && "Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().then(permissionNote, permissionNote);
    }
  }

  window.ConsoleNotify = {
    queue,
    counts,
    onOpen: (fn) => { opener = fn; },
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
