// The console's open conversation: the transcript, the context panel (why a person
// is needed, the emotion trend, what the bot tried, earlier conversations, notes) and
// what the agent does with the chat (reply, resolve, release, note, transfer). Part
// of the page's window.ConsoleApp (console.js makes it and starts the page).
"use strict";

(function () {
  const app = window.ConsoleApp;
  const { state, $ } = app;
  const { el, clear, flash, clock, words, api, attempt, plotLine } = window.ConsoleKit;

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
      app.hideTyping();
      if (entry.emotion) chat.marks.push(entry.emotion);
      renderTrend(chat);
      app.loadSuggestions();
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
    plotLine(svg, coords, 3, "trend-line", "trend-dot");
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
      customer: data.customer.name || "",
    };
    app.hideTyping();
    if (mine) mine.unread = false;
    app.renderMine();
    for (const li of document.querySelectorAll("#queue-list .queue-item")) {
      li.classList.toggle("open", li.dataset.conversation === t.id);
    }
    $("chat").hidden = false;
    $("no-chat").hidden = true;
    const handle = data.customer.handle || "";
    const name = data.customer.name || (handle.startsWith("@") ? handle : "Customer");
    const withHandle = data.customer.name && handle.startsWith("@") ? name + " (" + handle + ")" : name;
    $("chat-title").textContent = withHandle + " · " + (data.customer.channel || t.channel);
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
    app.watch(t.id, state.chat.cursor);
    app.loadSuggestions();
    app.checkTone();
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
    await app.refreshMe();
    await reloadChat();
  }

  async function releaseChat() {
    const result = await act("release", {}, "The chat is back in the queue.");
    if (!result) return;
    await app.refreshMe();
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
      await app.refreshMe();
      await reloadChat();
    }
  }

  Object.assign(app, {
    openChat,
    reloadChat,
    addEntry,
    sendReply,
    resolveChat,
    releaseChat,
    addNote,
    transferChat,
  });
})();
