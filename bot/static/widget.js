/*
 * The website chat widget: one script tag embeds it in any page.
 *
 *   <script src="https://support.example.com/widget/widget.js" defer
 *           data-customer-name="Sam" data-title="Acme Outdoor help"></script>
 *
 * The script builds the chat in a shadow root (so the shop's CSS and ours never
 * mix), loads its style sheet there and talks to the gateway it was served from
 * (WebSocket /ws/chat, protocol in bot/widget_protocol.py). No framework, no build step, no
 * inline scripts or styles, and every text from a customer, agent or the bot is
 * inserted as text, never as HTML.
 *
 * Kept in localStorage (per gateway): the session token, the newest entry id seen,
 * and the messages not yet confirmed by the server (with their client ids), which
 * are resent after a reload or a reconnect; the server ignores a client id it has
 * already stored and echoes the stored message with it, which is how a pending
 * bubble becomes a delivered one. A session left without a customer message for
 * longer than the server keeps it (``idle_s`` of the welcome frame) is dropped on
 * load, so the next visitor of a shared computer starts a conversation of their own.
 *
 * Optional data attributes on the script tag: data-customer-name, data-title,
 * data-greeting, data-max-chars, data-open ("true": open on load), and
 * data-customer-token: the shop's signed word for the customer signed in on its page
 * (a JWT the shop's server signs with CUSTOMER_TOKEN_SECRET, HS256, claims sub, exp
 * and an optional name; bot/identity.py). It goes with every hello; the gateway then
 * shows that customer their orders without asking for proof, and a conversation
 * started with it is never resumed without a valid token for the same customer (a
 * customer who signed out, or the next one at a shared computer, starts a new one).
 * A bad token does not stop the chat: the customer is told and chats on unverified.
 */
(function () {
  "use strict";

  var script =
    document.currentScript ||
    document.querySelector('script[src$="/widget/widget.js"]');
  if (!script || window.__acmeChatWidget) {
    return;
  }
  window.__acmeChatWidget = true;

  var SERVER = new URL(script.src, document.baseURI);
  var ORIGIN = SERVER.origin;
  var WS_URL = (SERVER.protocol === "https:" ? "wss://" : "ws://") + SERVER.host + "/ws/chat";
  var STORE_KEY = "acme-chat:v1:" + ORIGIN;
  var PING_EVERY_MS = 20000;
  var PONG_WITHIN_MS = 8000;
  var RETRY_BASE_MS = 500;
  var RETRY_MAX_MS = 30000;
  var RESEND_AFTER_MS = 2500;
  var TYPING_EVERY_MS = 3000; // at most one "I'm typing" per this (the server throttles too)

  var config = {
    name: (script.getAttribute("data-customer-name") || "").slice(0, 80),
    customerToken: script.getAttribute("data-customer-token") || "",
    title: script.getAttribute("data-title") || "Chat with us",
    greeting:
      script.getAttribute("data-greeting") ||
      "Hi! I'm the shop's assistant. Ask me about an order, a delivery, a refund " +
        "or your account, and I'll bring in a person from our team whenever you like.",
    maxChars: parseInt(script.getAttribute("data-max-chars") || "4000", 10) || 4000,
    open: script.getAttribute("data-open") === "true",
  };

  // -- storage (falls back to memory when localStorage is unavailable) ---------------

  var memory = {};

  function load() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORE_KEY);
    } catch (e) {
      raw = memory[STORE_KEY] || null;
    }
    var data = {};
    try {
      data = raw ? JSON.parse(raw) : {};
    } catch (e) {
      data = {};
    }
    if (!data || typeof data !== "object") data = {};
    if (!Array.isArray(data.pending)) data.pending = [];
    if (idleTooLong(data)) {
      // Someone else's conversation (a shared computer): forget it entirely.
      data = { pending: [] };
      try {
        window.localStorage.setItem(STORE_KEY, JSON.stringify(data));
      } catch (e) {
        memory[STORE_KEY] = JSON.stringify(data);
      }
    }
    return data;
  }

  function idleTooLong(data) {
    var idle = Number(data.idle) * 1000;
    var active = Number(data.active);
    return Boolean(data.session) && idle > 0 && active > 0 && Date.now() - active > idle;
  }

  function save(change) {
    var data = load();
    change(data);
    var raw = JSON.stringify(data);
    try {
      window.localStorage.setItem(STORE_KEY, raw);
    } catch (e) {
      memory[STORE_KEY] = raw;
    }
    return data;
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  // -- DOM helpers (text only) ---------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
          node.setAttribute(key, attrs[key] === true ? "" : String(attrs[key]));
        }
      });
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function minutes(seconds) {
    var m = Math.max(1, Math.round(seconds / 60));
    return m === 1 ? "about 1 minute" : "about " + m + " minutes";
  }

  // -- the UI ------------------------------------------------------------------------

  var ui = {};

  function build() {
    var root = el("div", { class: "acw-root", hidden: true, "data-acw": "root" });

    ui.launcher = el("button", {
      type: "button",
      class: "acw-launcher",
      "data-testid": "chat-launcher",
      "aria-expanded": "false",
      "aria-controls": "acw-window",
      "aria-label": "Open chat",
    });
    ui.launcher.appendChild(el("span", { class: "acw-launcher-icon", "aria-hidden": "true" }));
    ui.launcherLabel = el("span", { class: "acw-launcher-label" }, "Chat with us");
    ui.launcher.appendChild(ui.launcherLabel);
    ui.badge = el("span", { class: "acw-badge", hidden: true, "aria-hidden": "true" });
    ui.launcher.appendChild(ui.badge);

    ui.window = el("section", {
      id: "acw-window",
      class: "acw-window",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "acw-title",
      "aria-describedby": "acw-status",
      "data-testid": "chat-window",
      hidden: true,
    });

    var header = el("header", { class: "acw-header" });
    var heading = el("div", { class: "acw-heading" });
    heading.appendChild(el("h2", { id: "acw-title", class: "acw-title" }, config.title));
    ui.status = el(
      "p",
      {
        id: "acw-status",
        class: "acw-status",
        role: "status",
        "data-testid": "chat-status",
        "data-state": "bot",
      },
      "Our assistant is here to help"
    );
    heading.appendChild(ui.status);
    header.appendChild(heading);
    ui.close = el("button", {
      type: "button",
      class: "acw-close",
      "aria-label": "Close chat",
      "data-testid": "chat-close",
    });
    ui.close.appendChild(el("span", { "aria-hidden": "true" }, "\u00d7"));
    header.appendChild(ui.close);
    ui.window.appendChild(header);

    ui.log = el("div", {
      class: "acw-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      "data-testid": "chat-log",
      tabindex: "0",
    });
    var intro = el("div", { class: "acw-msg acw-intro", "data-testid": "chat-intro" });
    intro.appendChild(el("p", { class: "acw-text" }, config.greeting));
    ui.log.appendChild(intro);
    ui.window.appendChild(ui.log);

    // Who is typing, in a polite live region that is always there (a region that
    // appears with its text is not read out by every screen reader).
    ui.typingLive = el("div", { class: "acw-typing-live", "aria-live": "polite" });
    ui.typing = el("div", {
      class: "acw-typing",
      hidden: true,
      "data-testid": "chat-typing",
    });
    ui.typing.appendChild(el("span", { class: "acw-dots", "aria-hidden": "true" }));
    ui.typing.appendChild(el("span", { class: "acw-typing-text" }, "The assistant is typing"));
    ui.typingLive.appendChild(ui.typing);
    ui.window.appendChild(ui.typingLive);

    ui.notice = el("p", {
      class: "acw-notice",
      role: "status",
      "data-testid": "chat-notice",
      hidden: true,
    });
    ui.window.appendChild(ui.notice);

    ui.form = el("form", { class: "acw-compose", novalidate: true });
    ui.form.appendChild(el("label", { for: "acw-input", class: "acw-sr" }, "Your message"));
    ui.input = el("textarea", {
      id: "acw-input",
      class: "acw-input",
      rows: "1",
      maxlength: String(config.maxChars),
      placeholder: "Type your message\u2026",
      autocomplete: "off",
      "data-testid": "chat-input",
      "aria-describedby": "acw-hint",
    });
    ui.form.appendChild(ui.input);
    ui.form.appendChild(
      el("span", { id: "acw-hint", class: "acw-sr" }, "Enter sends, Shift and Enter adds a line.")
    );
    ui.send = el("button", {
      type: "submit",
      class: "acw-send",
      "data-testid": "chat-send",
      "aria-label": "Send message",
    });
    ui.send.appendChild(el("span", { class: "acw-send-icon", "aria-hidden": "true" }));
    ui.form.appendChild(ui.send);
    ui.window.appendChild(ui.form);

    root.appendChild(ui.window);
    root.appendChild(ui.launcher);
    ui.root = root;
    // A shadow root keeps the shop's CSS (say, a rule for every <header>) out of the
    // widget and ours out of the shop.
    var host = el("div", { id: "acme-chat-widget", "data-acw": "host" });
    ui.mount = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    ui.mount.appendChild(root);
    document.body.appendChild(host);

    ui.launcher.addEventListener("click", function () {
      if (ui.window.hidden) openChat(false);
      else closeChat();
    });
    ui.close.addEventListener("click", closeChat);
    ui.window.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeChat();
      } else if (event.key === "Tab" && fullScreen()) {
        keepFocusInside(event);
      }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    ui.input.addEventListener("input", function () {
      resizeInput();
      typed();
    });
  }

  var narrow = window.matchMedia ? window.matchMedia("(max-width: 480px)") : null;

  function fullScreen() {
    // On a phone the open chat covers the page (widget.css): it is modal there.
    return !!(narrow && narrow.matches);
  }

  function keepFocusInside(event) {
    var focusable = Array.prototype.filter.call(
      ui.window.querySelectorAll("button, textarea, input, [tabindex]"),
      function (node) {
        return !node.disabled && node.getClientRects().length > 0;
      }
    );
    if (!focusable.length) return;
    var active = ui.mount.activeElement || document.activeElement;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function resizeInput() {
    var lines = ui.input.value.split("\n").length;
    ui.input.setAttribute("rows", String(Math.min(5, Math.max(1, lines))));
  }

  function loadStyles() {
    var href = ORIGIN + "/widget/widget.css";
    var shown = false;
    function show() {
      if (!shown) {
        shown = true;
        ui.root.hidden = false;
      }
    }
    var link = el("link", { rel: "stylesheet", href: href, "data-acw": "style" });
    link.addEventListener("load", show);
    link.addEventListener("error", show);
    ui.mount.insertBefore(link, ui.root);
    window.setTimeout(show, 3000);
  }

  function openChat(restoring) {
    ui.window.setAttribute("aria-modal", fullScreen() ? "true" : "false");
    ui.window.hidden = false;
    ui.root.classList.add("acw-is-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", "Close chat");
    ui.badge.hidden = true;
    unread = 0;
    save(function (d) {
      d.open = true;
    });
    markSeen();
    connect();
    scrollToEnd();
    // Reopened after a reload: do not pull the page's focus into the chat.
    if (restoring !== true) ui.input.focus();
  }

  function closeChat() {
    if (ui.window.hidden) return;
    ui.window.hidden = true;
    ui.root.classList.remove("acw-is-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", "Open chat");
    save(function (d) {
      d.open = false;
    });
    ui.launcher.focus();
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  var noticeTimer = null;
  var connectionNotice = false; // the notice is about being offline / reconnecting

  function notice(text, sticky) {
    window.clearTimeout(noticeTimer);
    connectionNotice = false;
    if (!text) {
      ui.notice.hidden = true;
      ui.notice.textContent = "";
      return;
    }
    ui.notice.textContent = text;
    ui.notice.hidden = false;
    if (!sticky) {
      noticeTimer = window.setTimeout(function () {
        notice("");
      }, 8000);
    }
  }

  // -- rendering entries ----------------------------------------------------------------

  var rendered = {}; // entry id -> element
  var lastId = null; // newest entry id rendered
  var unread = 0;
  var seenId = null; // newest entry id the customer has had open in front of them
  var activeRating = null; // the open rating form, if any

  function firstPending() {
    return ui.log.querySelector('.acw-msg[data-status="pending"]');
  }

  function place(node) {
    // Delivered entries stay in server order, before bubbles still on their way.
    var pending = firstPending();
    if (pending && pending !== node) ui.log.insertBefore(node, pending);
    else ui.log.appendChild(node);
  }

  function authorLabel(entry) {
    if (entry.author === "customer") return "You";
    if (entry.author === "agent") return (entry.agent_name || "Our team") + " (our team)";
    if (entry.author === "bot") return "Assistant";
    return "Update";
  }

  function bubble(author, text, label) {
    var node = el("div", {
      class: "acw-msg acw-from-" + author,
      "data-testid": "chat-message",
      "data-author": author,
    });
    var who = el("span", { class: "acw-who" }, label);
    if (author === "customer") who.className = "acw-who acw-sr";
    node.appendChild(who);
    node.appendChild(el("p", { class: "acw-text" }, text));
    return node;
  }

  function setDelivered(node, entry) {
    node.setAttribute("data-status", "delivered");
    node.setAttribute("data-entry-id", entry.id);
    var state = node.querySelector(".acw-state");
    if (state) state.parentNode.removeChild(state);
  }

  function setPendingState(node, status, text) {
    node.setAttribute("data-status", status);
    var state = node.querySelector(".acw-state");
    if (!state) {
      state = el("span", { class: "acw-state" });
      node.appendChild(state);
    }
    state.textContent = text;
  }

  function renderEntry(entry) {
    if (!entry || typeof entry.id !== "string" || rendered[entry.id]) return;
    var node = null;
    if (entry.author === "customer" && entry.client_id) {
      node = ui.log.querySelector(
        '.acw-msg[data-client-id="' + cssEscape(entry.client_id) + '"]'
      );
    }
    if (node) {
      // Our own pending bubble came back from the server: now it is delivered.
      setDelivered(node, entry);
      if (node.parentNode) node.parentNode.removeChild(node);
      forgetPending(entry.client_id);
    } else {
      node = bubble(String(entry.author || "system"), String(entry.text || ""), authorLabel(entry));
      node.setAttribute("data-entry-id", entry.id);
      if (entry.author === "customer") node.setAttribute("data-status", "delivered");
      if (entry.client_id) {
        node.setAttribute("data-client-id", entry.client_id);
        forgetPending(entry.client_id);
      }
    }
    node.setAttribute("data-kind", entry.kind || "message");
    rendered[entry.id] = node;
    place(node);

    if (entry.author === "customer") {
      clearQuickReplies();
    }
    if (entry.author === "agent") hideAgentTyping();
    if (Array.isArray(entry.buttons) && entry.buttons.length) {
      clearQuickReplies();
      node.appendChild(quickReplies(entry.buttons));
    }
    if (entry.kind === "rating_request") {
      showRating(node, entry);
    } else if (entry.kind === "rated") {
      finishRating(true);
    }
    lastId = entry.id;
    save(function (d) {
      d.last = entry.id;
    });
    if (entry.author !== "customer") {
      if (ui.window.hidden && (!replaying || after(entry.id, seenId))) {
        unread += 1;
        ui.badge.textContent = String(unread);
        ui.badge.hidden = false;
        ui.launcherLabel.textContent = "New message";
      } else if (!ui.window.hidden) {
        markSeen();
      }
    }
    scrollToEnd();
  }

  function after(a, b) {
    // Whether stream id a ("ms-seq") comes after b (anything comes after nothing).
    if (!b) return true;
    var x = String(a).split("-");
    var y = String(b).split("-");
    var ms = Number(x[0]) - Number(y[0]);
    return ms > 0 || (ms === 0 && Number(x[1] || 0) > Number(y[1] || 0));
  }

  function markSeen() {
    seenId = lastId;
    if (lastId) {
      save(function (d) {
        d.seen = lastId;
      });
    }
    ui.launcherLabel.textContent = "Chat with us";
  }

  function cssEscape(value) {
    if (window.CSS && window.CSS.escape) return window.CSS.escape(value);
    return String(value).replace(/[^A-Za-z0-9_-]/g, "");
  }

  // -- quick replies ----------------------------------------------------------------------

  function quickReplies(buttons) {
    var group = el("div", {
      class: "acw-quick",
      role: "group",
      "aria-label": "Suggested replies",
    });
    buttons.slice(0, 8).forEach(function (button) {
      var title = String((button && button.title) || "").trim();
      if (!title) return;
      var node = el(
        "button",
        { type: "button", class: "acw-quick-btn", "data-testid": "chat-quick-reply" },
        title
      );
      node.addEventListener("click", function () {
        // The title is what the customer "says": Rasa understands it as the same
        // intent as the payload, and the transcript reads naturally.
        sendText(title);
        ui.input.focus();
      });
      group.appendChild(node);
    });
    return group;
  }

  function clearQuickReplies() {
    var groups = ui.log.querySelectorAll(".acw-quick");
    Array.prototype.forEach.call(groups, function (group) {
      group.parentNode.removeChild(group);
    });
  }

  // -- ratings --------------------------------------------------------------------------

  var SCALE_WORDS = {
    csat: ["Very unhappy", "Very happy"],
    understood: ["Not at all", "Completely"],
  };
  var ratingSent = null; // the answers while waiting for the server
  var ratingSerial = 0;

  function scale(question) {
    // One survey question (bot/surveys.py): radio buttons from its min to its max.
    var name = question.id;
    var low = question.min;
    var high = question.max;
    var ends = question.ends || SCALE_WORDS[name] || [String(low), String(high)];
    var group = el("fieldset", { class: "acw-scale", "data-scale": name });
    var legend = question.text + (question.optional ? " (optional)" : "");
    group.appendChild(el("legend", { class: "acw-legend" }, legend));
    var row = el("div", { class: "acw-scale-row" + (high - low > 4 ? " acw-scale-wide" : "") });
    ratingSerial += 1;
    for (var value = low; value <= high; value++) {
      var id = "acw-" + name + "-" + ratingSerial + "-" + value;
      var input = el("input", {
        type: "radio",
        id: id,
        name: "acw-" + name + "-" + ratingSerial,
        value: String(value),
        class: "acw-radio",
      });
      var word = value === low ? ends[0] : value === high ? ends[1] : "";
      var label = el("label", { for: id, class: "acw-choice", title: word });
      label.appendChild(el("span", { class: "acw-choice-num", "aria-hidden": "true" }, value));
      label.appendChild(el("span", { class: "acw-sr" }, word ? value + " \u2013 " + word : String(value)));
      row.appendChild(input);
      row.appendChild(label);
    }
    group.appendChild(row);
    var endsRow = el("div", { class: "acw-scale-ends", "aria-hidden": "true" });
    endsRow.appendChild(el("span", null, ends[0]));
    endsRow.appendChild(el("span", null, ends[1]));
    group.appendChild(endsRow);
    return group;
  }

  function comment(question) {
    var id = "acw-comment-" + ratingSerial;
    var group = el("div", { class: "acw-scale", "data-scale": question.id });
    group.appendChild(el("label", { class: "acw-legend", for: id }, question.text));
    group.appendChild(
      el("textarea", {
        id: id,
        class: "acw-comment",
        rows: "2",
        maxlength: String(question.max_chars || 1000),
        "data-testid": "chat-csat-comment",
      })
    );
    return group;
  }

  function surveyQuestions(entry) {
    var data = entry.data || {};
    if (Array.isArray(data.questions) && data.questions.length) return data.questions;
    return [
      { id: "csat", text: "How satisfied are you with the help you got?", min: 1, max: 5 },
      { id: "understood", text: "Did you feel understood?", min: 1, max: 5 },
    ];
  }

  function showRating(afterNode, entry) {
    finishRating(false);
    var form = el("form", {
      class: "acw-csat",
      "data-testid": "chat-csat",
      "data-entry-id": entry.id,
      "aria-label": "Rate this conversation",
      novalidate: true,
    });
    var questions = surveyQuestions(entry);
    questions.forEach(function (question) {
      form.appendChild(typeof question.max === "number" ? scale(question) : comment(question));
    });
    var error = el("p", { class: "acw-csat-error", role: "alert", hidden: true });
    form.appendChild(error);
    var submit = el(
      "button",
      { type: "submit", class: "acw-csat-send", "data-testid": "chat-csat-send" },
      "Send rating"
    );
    form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      var missing = false;
      questions.forEach(function (question) {
        if (typeof question.max !== "number") {
          var text = form.querySelector('[data-scale="' + question.id + '"] textarea');
          if (text && text.value.trim()) answers[question.id] = text.value.trim();
          return;
        }
        var picked = form.querySelector('[data-scale="' + question.id + '"] input:checked');
        if (picked) answers[question.id] = parseInt(picked.value, 10);
        else if (!question.optional) missing = true;
      });
      if (missing) {
        error.textContent = "Please choose a number for each question that is not optional.";
        error.hidden = false;
        return;
      }
      error.hidden = true;
      ratingSent = answers;
      save(function (d) {
        d.rating = ratingSent;
      });
      submit.disabled = true;
      submit.textContent = "Sending\u2026";
      sendRating();
    });
    activeRating = { form: form, error: error, submit: submit };
    afterNode.appendChild(form);
  }

  function sendRating() {
    if (!ratingSent) return;
    if (!socketReady()) {
      notice("We'll send your rating as soon as the connection is back.");
      return;
    }
    var frame = { type: "rating" };
    Object.keys(ratingSent).forEach(function (key) {
      frame[key] = ratingSent[key];
    });
    send(frame);
  }

  function finishRating(done) {
    // The server's "rated" entry is the thank-you; the form simply goes away.
    if (activeRating) {
      var form = activeRating.form;
      if (form.parentNode) form.parentNode.removeChild(form);
      activeRating = null;
    }
    if (done) {
      ratingSent = null;
      save(function (d) {
        delete d.rating;
      });
    }
  }

  function ratingFailed(message) {
    ratingSent = null;
    save(function (d) {
      delete d.rating;
    });
    if (activeRating) {
      activeRating.error.textContent = message;
      activeRating.error.hidden = false;
      activeRating.submit.disabled = false;
      activeRating.submit.textContent = "Send rating";
    }
  }

  // -- the state line -----------------------------------------------------------------------

  var lastState = "bot";

  function showState(frame) {
    var state = frame.state;
    var text;
    if (state === "queued") {
      text = "Connecting you with a person";
      if (typeof frame.position === "number") {
        text += " \u2014 you are number " + frame.position;
      }
      if (typeof frame.back === "string") {
        text += frame.back
          ? ". Our team is back " + frame.back + "; we'll reply here"
          : ". Our team is away just now; we'll reply here";
      } else if (!frame.agents_online) {
        text += ". No one is online just now; we'll reply here";
      } else if (typeof frame.wait_s === "number" && frame.wait_s > 0) {
        text += ", " + minutes(frame.wait_s);
      } else {
        text += ". Someone should be with you shortly";
      }
    } else if (state === "assigned") {
      text = (frame.agent_name || "Someone") + " from our team has joined";
    } else {
      text =
        lastState === "bot"
          ? "Our assistant is here to help"
          : "You're chatting with our assistant again";
      state = "bot";
    }
    lastState = state;
    ui.status.setAttribute("data-state", state);
    ui.status.textContent = text;
    hideAgentTyping();
    ui.typing.hidden = true;
    var who = state === "assigned" ? frame.agent_name || "Our team" : "The assistant";
    ui.typing.querySelector(".acw-typing-text").textContent = who + " is typing";
  }

  // -- typing, both ways ------------------------------------------------------------------

  var typingSentAt = 0;
  var agentTypingTimer = null;

  // The customer types: the agent who has the chat sees it (nobody else reads it).
  function typed() {
    if (lastState !== "assigned" || !ui.input.value.trim() || !socketReady()) return;
    var now = Date.now();
    if (now - typingSentAt < TYPING_EVERY_MS && now >= typingSentAt) return;
    typingSentAt = now;
    send({ type: "typing" });
  }

  // The agent types: "<name> is typing" until their message comes, or a few quiet
  // seconds pass.
  function showAgentTyping(frame) {
    if (lastState !== "assigned") return;
    var name = typeof frame.name === "string" && frame.name ? frame.name : "Our team";
    ui.typing.querySelector(".acw-typing-text").textContent = name + " is typing";
    ui.typing.hidden = false;
    window.clearTimeout(agentTypingTimer);
    var seconds = typeof frame.for_s === "number" ? frame.for_s : 6;
    agentTypingTimer = window.setTimeout(hideAgentTyping, seconds * 1000);
    scrollToEnd();
  }

  function hideAgentTyping() {
    if (agentTypingTimer === null) return;
    window.clearTimeout(agentTypingTimer);
    agentTypingTimer = null;
    ui.typing.hidden = true;
  }

  // -- sending ---------------------------------------------------------------------------------

  function submitInput() {
    var text = ui.input.value.trim();
    if (!text) {
      notice("Please type a message first.");
      ui.input.focus();
      return;
    }
    if (text.length > config.maxChars) {
      notice("That message is a little long; please keep it under " + config.maxChars + " characters.");
      return;
    }
    ui.input.value = "";
    resizeInput();
    sendText(text);
    ui.input.focus();
  }

  function sendText(text) {
    var item = { id: newId(), text: text, at: Date.now() };
    save(function (d) {
      d.pending.push(item);
      d.active = item.at; // the server keeps the session idle_s from now
    });
    clearQuickReplies();
    showPending(item);
    connect();
    if (welcomed) {
      send({ type: "message", id: item.id, text: item.text });
    }
  }

  function showPending(item) {
    if (ui.log.querySelector('.acw-msg[data-client-id="' + cssEscape(item.id) + '"]')) return;
    var node = bubble("customer", item.text, "You");
    node.setAttribute("data-client-id", item.id);
    setPendingState(node, "pending", socketReady() ? "Sending\u2026" : "Waiting for connection\u2026");
    ui.log.appendChild(node);
    scrollToEnd();
  }

  function forgetPending(clientId) {
    save(function (d) {
      d.pending = d.pending.filter(function (p) {
        return p.id !== clientId;
      });
    });
  }

  function failPending(clientId, message) {
    forgetPending(clientId);
    var node = ui.log.querySelector('.acw-msg[data-client-id="' + cssEscape(clientId) + '"]');
    if (node && node.getAttribute("data-status") !== "delivered") {
      setPendingState(node, "failed", "Not sent: " + message);
    }
  }

  var resendTimer = null;

  function resendLater() {
    if (resendTimer) return;
    resendTimer = window.setTimeout(function () {
      resendTimer = null;
      resendPending();
    }, RESEND_AFTER_MS);
  }

  function resendPending() {
    if (!welcomed) return;
    load().pending.forEach(function (item) {
      showPending(item);
      var node = ui.log.querySelector('.acw-msg[data-client-id="' + cssEscape(item.id) + '"]');
      if (node && node.getAttribute("data-status") === "pending") {
        setPendingState(node, "pending", "Sending\u2026");
      }
      send({ type: "message", id: item.id, text: item.text });
    });
  }

  // -- the connection ----------------------------------------------------------------------------

  var ws = null;
  var welcomed = false;
  var replaying = false;
  var attempts = 0;
  var retryTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var everWelcomed = false;

  function socketReady() {
    return ws !== null && ws.readyState === WebSocket.OPEN && welcomed;
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) {
      return;
    }
    window.clearTimeout(retryTimer);
    retryTimer = null;
    var socket;
    try {
      socket = new WebSocket(WS_URL);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    welcomed = false;
    socket.addEventListener("open", function () {
      if (ws !== socket) return;
      var stored = load();
      if (everWelcomed && typeof stored.session !== "string") {
        // The session was dropped while the page stayed open (idle too long): the
        // conversation on screen is someone else's now.
        resetTranscript();
      }
      // A fresh page asks for the whole transcript; a reconnect only for what it missed.
      var cursor = everWelcomed ? lastId : null;
      replaying = !everWelcomed;
      if (replaying) ui.log.setAttribute("aria-busy", "true");
      send({
        type: "hello",
        session: typeof stored.session === "string" ? stored.session : null,
        after: cursor,
        name: config.name || undefined,
        customer_token: config.customerToken || undefined,
      });
    });
    socket.addEventListener("message", function (event) {
      if (ws !== socket) return;
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === "object") handleFrame(frame);
    });
    socket.addEventListener("close", function (event) {
      if (ws !== socket) return;
      ws = null;
      welcomed = false;
      stopPing();
      hideAgentTyping();
      ui.typing.hidden = true;
      if (event.code === 4429) {
        // Over a limit (too many windows or new chats): try again a while later.
        attempts = Math.max(attempts, 6);
      }
      if (event.code === 4401) {
        // The stored session is not valid (any more): start a new conversation.
        save(function (d) {
          delete d.session;
          delete d.last;
          delete d.seen;
        });
        resetTranscript();
        notice("We started a new conversation for you.");
        attempts = 0;
        connect();
        return;
      }
      scheduleReconnect();
    });
  }

  function resetTranscript() {
    Object.keys(rendered).forEach(function (id) {
      var node = rendered[id];
      if (node.parentNode) node.parentNode.removeChild(node);
    });
    rendered = {};
    lastId = null;
    everWelcomed = false;
    finishRating(false);
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    var delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * Math.pow(2, attempts));
    delay = delay / 2 + Math.random() * (delay / 2);
    attempts += 1;
    if (attempts > 1) {
      notice(
        navigator.onLine === false
          ? "You're offline. We'll send your messages when the connection is back."
          : "Reconnecting\u2026 your messages are kept and will be sent.",
        true
      );
      connectionNotice = true;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      connect();
    }, delay);
  }

  function startPing() {
    stopPing();
    pingTimer = window.setInterval(function () {
      if (!send({ type: "ping" })) return;
      window.clearTimeout(pongTimer);
      pongTimer = window.setTimeout(function () {
        // No answer: the connection is dead even if the browser has not noticed.
        dropSocket();
      }, PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  function stopPing() {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    pingTimer = null;
    pongTimer = null;
  }

  function dropSocket() {
    var socket = ws;
    if (!socket) return;
    ws = null;
    welcomed = false;
    stopPing();
    try {
      socket.close();
    } catch (e) {
      /* already closed */
    }
    scheduleReconnect();
  }

  function handleFrame(frame) {
    window.clearTimeout(pongTimer);
    switch (frame.type) {
      case "welcome":
        welcomed = true;
        attempts = 0;
        save(function (d) {
          if (d.session !== frame.session) {
            d.session = frame.session;
            d.active = Date.now();
          }
          if (typeof frame.idle_s === "number") d.idle = frame.idle_s;
        });
        if (connectionNotice) notice("");
        everWelcomed = true;
        startPing();
        resendPending();
        if (ratingSent) sendRating();
        break;
      case "entry":
        renderEntry(frame.entry);
        break;
      case "typing":
        if (frame.author === "agent") {
          showAgentTyping(frame);
        } else if (lastState === "bot") {
          ui.typing.hidden = !frame.on;
        }
        break;
      case "state":
        if (replaying) {
          replaying = false;
          ui.log.removeAttribute("aria-busy");
        }
        showState(frame);
        break;
      case "error":
        handleError(frame);
        break;
      default:
        break;
    }
  }

  function handleError(frame) {
    var id = typeof frame.id === "string" ? frame.id : null;
    var code = String(frame.code || "");
    if (id && code === "too_many_chats") {
      failPending(id, "please continue in your open chat.");
      notice(String(frame.message || ""), true);
      return;
    }
    if (!id && (code === "rate_limited" || code === "too_many_connections")) {
      notice(String(frame.message || "Please try again in a little while."), true);
      connectionNotice = true;
      return;
    }
    if (id && (frame.retry || code === "rate_limited")) {
      resendLater();
      if (code === "rate_limited") notice("You're sending messages quickly; we'll send that in a moment.");
      return;
    }
    if (id) {
      failPending(id, code === "too_long" ? "it is too long." : "it could not be sent.");
      notice(
        code === "too_long"
          ? "That message is a little long; please shorten it and send it again."
          : "We couldn't send that message. Please try again."
      );
      return;
    }
    if (ratingSent && (code === "invalid_rating" || code === "unavailable")) {
      if (/already/i.test(String(frame.message || ""))) {
        finishRating(true);
      } else {
        ratingFailed(
          code === "unavailable"
            ? "We couldn't save your rating just now. Please try again."
            : "We couldn't take that rating: " + String(frame.message || "please check the answers.")
        );
      }
      return;
    }
    if (code === "bad_session") return; // the close handler starts over
    if (code === "bad_customer_token") {
      // The chat goes on, only without the shop account (the server said why).
      notice("We couldn't confirm your shop account, so we may ask you to confirm an order first.");
      return;
    }
    notice("Something went wrong on our side. We're still here; please try again.");
  }

  // -- start ---------------------------------------------------------------------------------------

  function start() {
    build();
    loadStyles();
    var stored = load();
    if (stored.rating) ratingSent = stored.rating;
    seenId = typeof stored.seen === "string" ? stored.seen : null;
    // Messages from an earlier page that were never confirmed are shown and resent.
    stored.pending.forEach(showPending);
    window.addEventListener("online", function () {
      attempts = 0;
      if (!ws) connect();
    });
    window.addEventListener("offline", function () {
      notice("You're offline. We'll send your messages when the connection is back.", true);
      connectionNotice = true;
      dropSocket();
    });
    if (stored.session || stored.pending.length || config.open || stored.open) {
      connect();
    }
    if (config.open || stored.open) openChat(true);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
