// The agent console: live queue, conversation view, replies, assist. Vanilla JS, no
// build step. This file makes the page's shared state (window.ConsoleApp), follows
// the live socket and starts the page; the other parts add their functions to
// ConsoleApp: queue.js (presence, tabs, the waiting list, claims), chat.js (the open
// conversation and what the agent does with it), assist.js (suggestions, tone,
// shortcuts), typing.js (typing indicators both ways). The helpers are in kit.js,
// alerts in notify.js, the empathy review in review.js, the keyboard in keys.js.
// Every string from a customer (or anyone) is put in the page with textContent or as
// an attribute value, never parsed as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    me: null,
    csrf: "",
    queue: [],
    chat: null, // {id, ticket, token, cursor, entries: Map}
    mine: new Map(), // conversation id -> {token, customer_name, unread}
    ws: null,
    retry: 0,
    canned: [],
    selected: null, // the waiting chat the keyboard points at
  };
  // The parts call each other through app.<name> at call time, so the order they
  // load in (console.html) does not matter beyond this file coming first.
  const app = { state, $ };
  window.ConsoleApp = app;

  const { flash, api, attempt } = window.ConsoleKit;

  // -- live updates -------------------------------------------------------------

  function send(frame) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function watch(id, after) {
    send({ type: "watch", conversation: id, after: after || "" });
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + window.location.host + "/console/ws");
    state.ws = ws;
    ws.addEventListener("open", () => {
      state.retry = 0;
      $("live-status").textContent = "live";
      $("live-status").className = "live on";
      if (state.chat) watch(state.chat.id, state.chat.cursor);
    });
    ws.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      onFrame(frame);
    });
    ws.addEventListener("close", (event) => {
      $("live-status").textContent = "reconnecting…";
      $("live-status").className = "live off";
      if (event.code === 4401 || event.code === 1008) {
        api("GET", "me").then(app.renderMe, () => {});
      }
      const delay = Math.min(10000, 500 * 2 ** state.retry++);
      setTimeout(connect, delay);
    });
  }

  function onFrame(frame) {
    if (frame.type === "queue") {
      app.renderQueue(frame.items);
    } else if (frame.type === "me") {
      app.renderMe({ ...frame, csrf: state.csrf });
    } else if (frame.type === "entry") {
      if (state.chat && state.chat.id === frame.conversation) {
        app.addEntry(frame.entry);
      } else if (state.mine.has(frame.conversation)) {
        state.mine.get(frame.conversation).unread = true;
        app.renderMine();
      }
    } else if (frame.type === "typing") {
      app.showTyping(frame);
    } else if (frame.type === "event") {
      const e = frame.event;
      if (state.chat && state.chat.id === e.ticket && e.agent !== (state.me && state.me.account.id)) {
        app.reloadChat();
      }
    } else if (frame.type === "error") {
      flash(frame.message, "error");
    }
  }

  // -- start ----------------------------------------------------------------------

  async function start() {
    const me = await attempt(() => api("GET", "me"));
    if (!me) return;
    app.renderMe(me);
    if (me.presence.status === "offline") {
      const online = await attempt(() => api("POST", "presence", { status: "online" }));
      if (online) app.renderMe(online);
    }
    const queue = await attempt(() => api("GET", "queue"));
    if (queue) app.renderQueue(queue.items);
    connect();
    $("presence-toggle").addEventListener("click", app.togglePresence);
    $("claim-next").addEventListener("click", app.claimNext);
    $("claim-this").addEventListener("click", () => state.chat && app.claimChat(state.chat.id));
    $("reply-form").addEventListener("submit", app.sendReply);
    $("resolve").addEventListener("click", app.resolveChat);
    $("release").addEventListener("click", app.releaseChat);
    $("note-form").addEventListener("submit", app.addNote);
    $("transfer-form").addEventListener("submit", app.transferChat);
    $("reply-input").addEventListener("input", app.checkTone);
    $("reply-input").addEventListener("input", app.typed);
    $("reply-input").addEventListener("keydown", app.expandShortcut);
    $("logout").addEventListener("click", async () => {
      await attempt(() => api("POST", "logout"));
      window.location.assign("/console/login");
    });
    setInterval(app.tickWaiting, 1000);
    if (window.ConsoleNotify) window.ConsoleNotify.onOpen(app.openChat);
  }

  // what keys.js needs of the page: the waiting list's selection, open and claim
  Object.assign(app, {
    send,
    watch,
    selected: () => state.selected,
    open: (id) => app.openChat(id),
    claim: (id) => app.claimChat(id),
    openId: () => (state.chat ? state.chat.id : null),
  });

  // The other parts load after this file (deferred, in order), and the browser may
  // run other tasks between two deferred scripts (a fetch's answer): start only once
  // all of them have run, at DOMContentLoaded (deferred scripts all run before it).
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
