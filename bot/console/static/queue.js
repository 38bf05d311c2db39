// The console's left side and tabs: who the agent is (presence, held chats as tabs),
// the waiting list, and claiming. Part of the page's window.ConsoleApp (console.js
// makes it and starts the page).
"use strict";

(function () {
  const app = window.ConsoleApp;
  const { state, $ } = app;
  const { el, clear, flash, duration, words, api, attempt } = window.ConsoleKit;

  // -- me, presence ---------------------------------------------------------------

  function renderMe(me) {
    state.me = me;
    if (me.csrf) {
      state.csrf = me.csrf;
      window.ConsoleKit.setCsrf(me.csrf);
    }
    const p = me.presence;
    $("me-name").textContent = me.account.name + (me.account.role === "supervisor" ? " (supervisor)" : "");
    $("me-load").textContent = p.chats + "/" + p.capacity + " chats";
    const toggle = $("presence-toggle");
    toggle.textContent = p.status === "online" ? "Online: take a break" : "Away: go online";
    toggle.dataset.status = p.status;
    $("dashboard-link").hidden = me.account.role !== "supervisor";
    if (p.break_suggested) flash("You've had several intense chats in a row. Consider a short break.", "info");
    document.dispatchEvent(new CustomEvent("console:me", { detail: me })); // breaks.js
    // the tabs keep their order (the server's is arbitrary): held ones as they were,
    // newly held ones after them
    const now = new Map(me.chats.map((c) => [c.id, c]));
    const held = new Map();
    for (const id of [...state.mine.keys(), ...now.keys()]) {
      if (held.has(id) || !now.has(id)) continue;
      const before = state.mine.get(id);
      held.set(id, { ...now.get(id), unread: before ? before.unread : false });
    }
    state.mine = held;
    renderMine();
    if (state.chat && held.has(state.chat.id)) state.chat.token = held.get(state.chat.id).token;
  }

  function renderMine() {
    const list = $("my-chats");
    clear(list);
    let n = 0;
    for (const [id, c] of state.mine) {
      n += 1;
      const open = state.chat && state.chat.id === id;
      const button = el("button", {
        cls: "tab",
        testid: "my-chat-tab",
        title: "Open (shortcut: " + (n < 10 ? "Alt+" + n + ", " : "") + "[ and ] switch)",
        attrs: { type: "button", "aria-current": open ? "true" : "false" },
      }, [
        el("span", { text: who(c) }),
        el("span", { cls: "badge " + c.emotion, text: c.emotion }),
      ]);
      button.addEventListener("click", () => app.openChat(id));
      const item = el("li", { cls: c.unread ? "unread" : "", testid: "my-chat" }, [button]);
      item.dataset.conversation = id;
      list.appendChild(item);
    }
    $("my-chats-empty").hidden = n > 0;
    updateCounts();
  }

  // the customer as a list shows them: their name (with a Telegram @username), else
  // the handle the channel gave, else the channel
  function who(item) {
    const handle = item.handle || "";
    const at = handle.startsWith("@");
    if (item.customer_name) return item.customer_name + (at ? " (" + handle + ")" : "");
    if (at) return handle;
    const channel = item.channel || "chat";
    return handle ? channel + " " + handle : channel + " customer";
  }

  async function togglePresence() {
    const status = state.me && state.me.presence.status === "online" ? "away" : "online";
    const me = await attempt(() => api("POST", "presence", { status }));
    if (me) renderMe(me);
  }

  // -- the queue ----------------------------------------------------------------

  function gauge(intensity) {
    const meter = el("meter", {
      cls: "gauge",
      testid: "intensity",
      attrs: { min: 0, max: 1, low: 0.4, high: 0.7, optimum: 0, value: intensity },
      title: "intensity " + Math.round(intensity * 100) + "%",
    });
    meter.textContent = Math.round(intensity * 100) + "%";
    return meter;
  }

  function renderQueue(items) {
    state.queue = items;
    const list = $("queue-list");
    const keepScroll = list.scrollTop;
    clear(list);
    $("queue-count").textContent = String(items.length);
    $("queue-empty").hidden = items.length > 0;
    if (state.selected && !items.some((i) => i.id === state.selected)) state.selected = null;
    const now = Date.now() / 1000;
    const all = document.createDocumentFragment();
    for (const item of items) all.appendChild(queueNode(item, now));
    list.appendChild(all);
    list.scrollTop = keepScroll;
    list.setAttribute("aria-busy", "false"); // loaded (bench/console_paint.py waits on it)
    onQueue(items);
  }

  function queueNode(item, now) {
    const claim = el("button", {
      cls: "claim small",
      text: "Claim",
      testid: "claim",
      title: "Claim this chat (shortcut: c on the selected chat)",
      attrs: { type: "button", "aria-label": "Claim the chat with " + who(item) },
    });
    claim.addEventListener("click", (event) => {
      event.stopPropagation();
      claimChat(item.id);
    });
    const open = el("button", { cls: "link", text: who(item), testid: "queue-name", attrs: { type: "button" } });
    const waited = item.queued_at ? now - item.queued_at : item.waiting_s;
    const reasons = item.reasons.map(words).join(", ");
    const meta = [
      el("span", { cls: "badge channel", text: item.channel }),
      el("span", { cls: "badge " + item.emotion, text: item.emotion, testid: "emotion" }),
      gauge(item.intensity),
    ];
    for (const flag of item.flags) meta.push(el("span", { cls: "flag", text: words(flag), testid: "flag" }));
    meta.push(el("span", { cls: "reasons", text: reasons, testid: "reasons", title: reasons }));
    const li = el("li", { cls: "queue-item " + item.emotion, testid: "queue-item" }, [
      el("div", { cls: "qi-top" }, [
        open,
        el("span", { cls: "waiting", text: "waiting " + duration(waited), testid: "waiting" }),
        claim,
      ]),
      el("p", {
        cls: "qi-latest" + (item.latest ? "" : " none"),
        text: item.latest || words(item.topic) || "no message yet",
        testid: "queue-latest",
        title: item.latest || "",
      }),
      el("div", { cls: "qi-meta" }, meta),
    ]);
    li.title = "priority " + Math.round(item.priority) + (item.topic ? " · " + words(item.topic) : "");
    li.addEventListener("click", () => {
      select(item.id);
      app.openChat(item.id);
    });
    li.dataset.conversation = item.id;
    li.dataset.queuedAt = item.queued_at || "";
    li.dataset.priority = String(Math.round(item.priority));
    if (state.selected === item.id) li.classList.add("selected");
    if (state.chat && state.chat.id === item.id) li.classList.add("open");
    return li;
  }

  // the keyboard's place in the waiting list (n, c, j/k: bot/console/static/keys.js)
  function select(id) {
    state.selected = id;
    for (const li of document.querySelectorAll("#queue-list .queue-item")) {
      li.classList.toggle("selected", li.dataset.conversation === id);
    }
  }

  // notifications and the title count look at each new queue (notify.js)
  function onQueue(items) {
    if (window.ConsoleNotify) window.ConsoleNotify.queue(items);
    updateCounts();
  }

  function updateCounts() {
    let unread = 0;
    for (const c of state.mine.values()) if (c.unread) unread += 1;
    if (window.ConsoleNotify) window.ConsoleNotify.counts(state.queue.length, unread);
  }

  function tickWaiting() {
    const now = Date.now() / 1000;
    for (const li of document.querySelectorAll("#queue-list .queue-item")) {
      const at = parseFloat(li.dataset.queuedAt);
      const span = li.querySelector(".waiting");
      if (at && span) span.textContent = "waiting " + duration(now - at);
    }
  }

  async function claimChat(id) {
    const result = await attempt(() => api("POST", "chats/" + encodeURIComponent(id) + "/claim"));
    if (!result) return;
    flash("You have the chat now.", "ok");
    await refreshMe();
    await app.openChat(id);
  }

  async function claimNext() {
    const result = await attempt(() => api("POST", "claim-next"));
    if (!result) return;
    await refreshMe();
    await app.openChat(result.ticket.id);
  }

  async function refreshMe() {
    const me = await attempt(() => api("GET", "me"));
    if (me) renderMe(me);
  }

  Object.assign(app, {
    renderMe,
    renderMine,
    togglePresence,
    renderQueue,
    select,
    tickWaiting,
    claimChat,
    claimNext,
    refreshMe,
  });
})();
