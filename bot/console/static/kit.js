// The console page's small helpers, shared by its scripts (console.js, review.js):
// building nodes (text always through textContent), the flash message, times, the
// JSON API with the session's CSRF token, and the trend charts' line. Loaded first;
// window.ConsoleKit.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let csrf = ""; // the session's token (console.js sets it from GET /console/api/me)

  function el(tag, opts, children) {
    const node = document.createElement(tag);
    const o = opts || {};
    if (o.cls) node.className = o.cls;
    if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
    if (o.testid) node.dataset.testid = o.testid;
    if (o.title) node.title = String(o.title);
    if (o.attrs) for (const [k, v] of Object.entries(o.attrs)) node.setAttribute(k, String(v));
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function flash(message, kind) {
    const box = $("flash");
    box.textContent = message;
    box.className = "flash " + (kind || "info");
    box.hidden = !message;
    if (message) {
      clearTimeout(flash.timer);
      flash.timer = setTimeout(() => { box.hidden = true; }, 8000);
    }
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + (s % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function clock(at) {
    if (!at) return "";
    return new Date(at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function words(code) {
    return String(code || "").replace(/_/g, " ");
  }

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = csrf;
    }
    let response;
    try {
      response = await fetch("/console/api/" + path, {
        method,
        headers,
        credentials: "same-origin",
        body: method === "GET" ? undefined : JSON.stringify(body || {}),
      });
    } catch (e) {
      throw new ApiError(0, "network", "The console lost its connection; please try again.");
    }
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) {
      window.location.assign("/console/login");
      throw new ApiError(401, "unauthenticated", "Please sign in again.");
    }
    if (!response.ok) {
      const d = data.detail || {};
      const message = d.message || data.error || "The request failed (" + response.status + ").";
      throw new ApiError(response.status, d.error || "error", message);
    }
    return data;
  }

  async function attempt(action) {
    try {
      return await action();
    } catch (e) {
      flash(e.message || String(e), "error");
      return null;
    }
  }

  // a line through points ([x, y] in the svg's viewBox) with a dot on each: the
  // small trend charts (chat.js, skills.js)
  function plotLine(svg, points, radius, lineClass, dotClass) {
    const ns = "http://www.w3.org/2000/svg";
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "));
    if (lineClass) line.setAttribute("class", lineClass);
    svg.appendChild(line);
    for (const [x, y] of points) {
      const dot = document.createElementNS(ns, "circle");
      dot.setAttribute("cx", x.toFixed(1));
      dot.setAttribute("cy", y.toFixed(1));
      dot.setAttribute("r", String(radius));
      if (dotClass) dot.setAttribute("class", dotClass);
      svg.appendChild(dot);
    }
  }

  window.ConsoleKit = {
    el,
    plotLine,
    clear,
    flash,
    duration,
    clock,
    words,
    api,
    attempt,
    ApiError,
    setCsrf: (token) => { csrf = token; },
  };
})();
