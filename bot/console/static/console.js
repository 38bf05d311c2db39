// The agent console: live queue, conversation view, replies, assist. Vanilla JS, no
// build step; the helpers are in kit.js, alerts in notify.js, the empathy review in
// review.js, the keyboard in keys.js. Every string from a customer (or anyone) is put in the page with
// textContent or as an attribute value, never parsed as HTML.
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

  const { el, clear, flash, duration, clock, words, api, attempt } = window.ConsoleKit;

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
      button.addEventListener("click", () => openChat(id));
      const item = el("li", { cls: c.unread ? "unread" : "", testid: "my-chat" }, [button]);
      item.dataset.conversation = id;
      list.appendChild(item);
    }
    $("my-chats-empty").hidden = n > 0;
    updateCounts();
  }

  // the customer as a list shows them: their name, else the channel and its handle
  function who(item) {
    if (item.customer_name) return item.customer_name;
    const channel = item.channel || "chat";
    return item.handle ? channel + " " + item.handle : channel + " customer";
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
      openChat(item.id);
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
    await openChat(id);
  }

  async function claimNext() {
    const result = await attempt(() => api("POST", "claim-next"));
    if (!result) return;
    await refreshMe();
    await openChat(result.ticket.id);
  }

  async function refreshMe() {
    const me = await attempt(() => api("GET", "me"));
    if (me) renderMe(me);
  }

  // -- the conversation view ------------------------------------------------------

  function entryNode(entry) {
    const who = entry.author === "agent" ? (entry.agent_name || "Agent") : entry.author;
    const children = [
      el("span", { cls: "author", text: who, testid: "author" }),
      el("span", { cls: "time", text: clock(entry.at) }),
    ];
    if (entry.emotion) {
      const e = entry.emotion;
      children.push(el("span", {
        cls: "mark badge " + e.label,
        text: e.label + " " + Math.round(e.intensity * 100) + "%",
        testid: "emotion-mark",
        title: (e.reasons || []).map(words).join(", "),
      }));
    }
    if (entry.kind !== "message") children.push(el("span", { cls: "kind", text: words(entry.kind) }));
    if (entry.empathy) {
      const met = entry.empathy.met;
      const missing = Object.keys(met).filter((k) => !met[k]);
      const total = Object.keys(met).length;
      children.push(el("span", {
        cls: "empathy" + (missing.length > 1 ? " low" : ""),
        text: "empathy " + (total - missing.length) + "/" + total,
        testid: "empathy",
        title: missing.length ? "missing: " + missing.join(", ") : "all five criteria met",
      }));
    }
    const li = el("li", { cls: "entry " + entry.author + " " + entry.kind, testid: "transcript-message" }, [
      el("div", { cls: "meta" }, children),
      el("div", { cls: "text", text: entry.text, testid: "message-text" }),
    ]);
    if (entry.author === "agent" && entry.kind === "message" && proposable()) {
      const propose = el("button", { cls: "link small", text: "Propose for the reply library", testid: "propose", attrs: { type: "button" } });
      propose.addEventListener("click", async () => {
        const done = await attempt(() => api("POST", "chats/" + encodeURIComponent(state.chat.id) + "/propose", { entry: entry.id }));
        if (done) {
          propose.disabled = true;
          propose.textContent = "Proposed: a supervisor will review it";
        }
      });
      li.appendChild(propose);
    }
    li.dataset.id = entry.id;
    li.dataset.author = entry.author;
    return li;
  }

  function proposable() {
    const t = state.chat && state.chat.ticket;
    const r = t && t.rating;
    return Boolean(r && t.state === "resolved" && r.csat >= 4 && r.understood >= 4);
  }

  function addEntry(entry) {
    const chat = state.chat;
    if (!chat || chat.entries.has(entry.id)) return;
    chat.entries.set(entry.id, entry);
    chat.cursor = entry.id;
    const list = $("transcript");
    list.appendChild(entryNode(entry));
    list.scrollTop = list.scrollHeight;
    if (entry.author === "customer") {
      if (entry.emotion) chat.marks.push(entry.emotion);
      renderTrend(chat);
      loadSuggestions();
    }
  }

  function renderTrend(chat) {
    const box = $("trend");
    clear(box);
    const points = chat.marks.map((m) => m.intensity);
    if (!points.length) {
      box.appendChild(el("p", { cls: "muted", text: "No emotion readings yet." }));
      return;
    }
    const ns = "http://www.w3.org/2000/svg";
    const w = 220, h = 60;
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("class", "trend");
    svg.setAttribute("role", "img");
    const step = points.length > 1 ? w / (points.length - 1) : 0;
    const coords = points.map((p, i) => [points.length > 1 ? i * step : w / 2, h - 4 - p * (h - 8)]);
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", coords.map((c) => c[0].toFixed(1) + "," + c[1].toFixed(1)).join(" "));
    line.setAttribute("class", "trend-line");
    svg.appendChild(line);
    for (const [x, y] of coords) {
      const dot = document.createElementNS(ns, "circle");
      dot.setAttribute("cx", x.toFixed(1));
      dot.setAttribute("cy", y.toFixed(1));
      dot.setAttribute("r", "3");
      dot.setAttribute("class", "trend-dot");
      svg.appendChild(dot);
    }
    const title = document.createElementNS(ns, "title");
    title.textContent = "Intensity per customer message: " + points.map((p) => Math.round(p * 100) + "%").join(", ");
    svg.appendChild(title);
    box.appendChild(svg);
  }

  function renderChat(data) {
    const t = data.ticket;
    const mine = state.mine.get(t.id);
    state.chat = {
      id: t.id,
      ticket: t,
      token: t.token || (mine ? mine.token : null),
      cursor: "",
      entries: new Map(),
      marks: [],
    };
    if (mine) mine.unread = false;
    renderMine();
    for (const li of document.querySelectorAll("#queue-list .queue-item")) {
      li.classList.toggle("open", li.dataset.conversation === t.id);
    }
    $("chat").hidden = false;
    $("no-chat").hidden = true;
    $("chat-title").textContent = (data.customer.name || "Customer") + " · " + (data.customer.channel || t.channel);
    $("chat-state").textContent = t.state === "assigned" ? (t.mine ? "yours" : "with " + (t.agent_id || "someone")) : t.state;
    $("chat-emotion").textContent = t.emotion.label + " " + Math.round(t.emotion.intensity * 100) + "%";
    $("chat-emotion").className = "badge " + t.emotion.label;
    $("why").textContent = t.explanation || "No explanation was recorded.";
    const reasons = $("reasons");
    clear(reasons);
    for (const r of t.reasons) reasons.appendChild(el("li", { text: words(r) }));
    for (const f of t.flags) reasons.appendChild(el("li", { cls: "flag", text: words(f) }));
    const tried = $("tried");
    clear(tried);
    for (const x of t.tried) tried.appendChild(el("li", { text: x }));
    if (!t.tried.length) tried.appendChild(el("li", { cls: "muted", text: "Nothing recorded." }));
    const slots = $("slots");
    clear(slots);
    for (const [k, v] of Object.entries(t.slots || {})) {
      slots.appendChild(el("dt", { text: words(k) }));
      slots.appendChild(el("dd", { text: typeof v === "string" ? v : JSON.stringify(v) }));
    }
    if (t.topic) {
      slots.appendChild(el("dt", { text: "topic" }));
      slots.appendChild(el("dd", { text: words(t.topic) }));
    }
    const earlier = $("earlier");
    clear(earlier);
    for (const e of data.earlier) {
      const rating = e.csat ? " · CSAT " + e.csat + "/5, understood " + e.understood + "/5" : "";
      earlier.appendChild(el("li", {
        testid: "earlier-item",
        text: e.what + " (" + e.channel + ", " + words(e.topic) + ", " + e.emotion + ")" + rating + (e.resolution ? " · " + e.resolution : ""),
      }));
    }
    if (!data.earlier.length) earlier.appendChild(el("li", { cls: "muted", text: "None." }));
    renderNotes(data.notes);
    clear($("transcript"));
    for (const entry of data.transcript) addEntryQuietly(entry);
    renderTrend(state.chat);
    const list = $("transcript");
    list.scrollTop = list.scrollHeight;
    updateActions();
    watch(t.id, state.chat.cursor);
    loadSuggestions();
    checkTone();
  }

  function addEntryQuietly(entry) {
    const chat = state.chat;
    chat.entries.set(entry.id, entry);
    chat.cursor = entry.id;
    if (entry.author === "customer" && entry.emotion) chat.marks.push(entry.emotion);
    $("transcript").appendChild(entryNode(entry));
  }

  function renderNotes(notes) {
    const list = $("notes");
    clear(list);
    for (const n of notes) {
      list.appendChild(el("li", { testid: "note" }, [
        el("span", { cls: "author", text: n.agent_id }),
        el("span", { cls: "time", text: clock(n.at) }),
        el("div", { text: n.text }),
      ]));
    }
  }

  function updateActions() {
    const chat = state.chat;
    const t = chat.ticket;
    const mine = t.state === "assigned" && (t.mine || state.mine.has(chat.id));
    for (const id of ["reply-send", "resolve", "release", "reply-input", "transfer-target"]) $(id).disabled = !mine;
    $("transfer-form").querySelector("button").disabled = !mine;
    $("claim-this").hidden = t.state !== "queued";
    $("assist").hidden = !mine;
    if (mine) loadTargets();
  }

  async function openChat(id) {
    const data = await attempt(() => api("GET", "chats/" + encodeURIComponent(id)));
    if (data) renderChat(data);
  }

  async function reloadChat() {
    if (state.chat) await openChat(state.chat.id);
  }

  async function act(path, body, done) {
    const chat = state.chat;
    if (!chat) return null;
    try {
      const result = await api("POST", "chats/" + encodeURIComponent(chat.id) + "/" + path, { token: chat.token, ...body });
      if (done) flash(done, "ok");
      return result;
    } catch (e) {
      flash(e.message, "error");
      if (e.status === 409 || e.status === 403) await reloadChat();
      return null;
    }
  }

  async function sendReply(event) {
    event.preventDefault();
    const input = $("reply-input");
    const text = input.value.trim();
    if (!text) {
      flash("Write a reply first.", "error");
      return;
    }
    $("reply-send").disabled = true;
    const result = await act("messages", { text });
    $("reply-send").disabled = false;
    if (result) {
      input.value = "";
      clear($("tone-warnings"));
      addEntry(result.entry);
    }
  }

  async function resolveChat() {
    const result = await act("resolve", {}, "Resolved. The assistant has welcomed the customer back and asked for a rating.");
    if (!result) return;
    if (result.break_suggested) flash("That was a run of intense chats. Take a " + result.break_minutes + " minute break if you can.", "info");
    await refreshMe();
    await reloadChat();
  }

  async function releaseChat() {
    const result = await act("release", {}, "The chat is back in the queue.");
    if (!result) return;
    await refreshMe();
    await reloadChat();
  }

  async function addNote(event) {
    event.preventDefault();
    const input = $("note-input");
    const text = input.value.trim();
    if (!text || !state.chat) return;
    const result = await attempt(() => api("POST", "chats/" + encodeURIComponent(state.chat.id) + "/notes", { text }));
    if (result) {
      input.value = "";
      await reloadChat();
    }
  }

  async function loadTargets() {
    const data = await attempt(() => api("GET", "agents"));
    if (!data) return;
    const select = $("transfer-target");
    clear(select);
    const skills = new Set();
    for (const a of data.agents) {
      for (const s of a.skills) skills.add(s);
      if (state.me && a.id === state.me.account.id) continue;
      const option = el("option", { text: a.name + " (" + a.status + ", " + a.chats + "/" + a.capacity + ")" });
      option.value = "agent:" + a.id;
      select.appendChild(option);
    }
    for (const s of skills) {
      const option = el("option", { text: "anyone with skill: " + s });
      option.value = "skill:" + s;
      select.appendChild(option);
    }
  }

  async function transferChat(event) {
    event.preventDefault();
    const value = $("transfer-target").value;
    if (!value) return;
    const [kind, target] = [value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1)];
    const body = kind === "agent" ? { to_agent: target } : { to_skill: target };
    const result = await act("transfer", body, "Transferred.");
    if (result) {
      await refreshMe();
      await reloadChat();
    }
  }

  // -- agent assist -------------------------------------------------------------

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

  // -- live updates -------------------------------------------------------------

  function watch(id, after) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify({ type: "watch", conversation: id, after: after || "" }));
    }
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
        api("GET", "me").then(renderMe, () => {});
      }
      const delay = Math.min(10000, 500 * 2 ** state.retry++);
      setTimeout(connect, delay);
    });
  }

  function onFrame(frame) {
    if (frame.type === "queue") {
      renderQueue(frame.items);
    } else if (frame.type === "me") {
      renderMe({ ...frame, csrf: state.csrf });
    } else if (frame.type === "entry") {
      if (state.chat && state.chat.id === frame.conversation) {
        addEntry(frame.entry);
      } else if (state.mine.has(frame.conversation)) {
        state.mine.get(frame.conversation).unread = true;
        renderMine();
      }
    } else if (frame.type === "event") {
      const e = frame.event;
      if (state.chat && state.chat.id === e.ticket && e.agent !== (state.me && state.me.account.id)) {
        reloadChat();
      }
    } else if (frame.type === "error") {
      flash(frame.message, "error");
    }
  }

  // -- start ----------------------------------------------------------------------

  async function start() {
    const me = await attempt(() => api("GET", "me"));
    if (!me) return;
    renderMe(me);
    if (me.presence.status === "offline") {
      const online = await attempt(() => api("POST", "presence", { status: "online" }));
      if (online) renderMe(online);
    }
    const queue = await attempt(() => api("GET", "queue"));
    if (queue) renderQueue(queue.items);
    connect();
    $("presence-toggle").addEventListener("click", togglePresence);
    $("claim-next").addEventListener("click", claimNext);
    $("claim-this").addEventListener("click", () => state.chat && claimChat(state.chat.id));
    $("reply-form").addEventListener("submit", sendReply);
    $("resolve").addEventListener("click", resolveChat);
    $("release").addEventListener("click", releaseChat);
    $("note-form").addEventListener("submit", addNote);
    $("transfer-form").addEventListener("submit", transferChat);
    $("reply-input").addEventListener("input", checkTone);
    $("reply-input").addEventListener("keydown", expandShortcut);
    $("logout").addEventListener("click", async () => {
      await attempt(() => api("POST", "logout"));
      window.location.assign("/console/login");
    });
    setInterval(tickWaiting, 1000);
    if (window.ConsoleNotify) window.ConsoleNotify.onOpen(openChat);
  }

  // what keys.js needs of the page: the waiting list's selection, open and claim
  window.ConsoleApp = {
    selected: () => state.selected,
    select,
    open: openChat,
    claim: claimChat,
    openId: () => (state.chat ? state.chat.id : null),
  };

  start();
})();
