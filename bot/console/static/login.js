// Sign-in page: posts the form as JSON with the login CSRF token, then opens the console,
// or the console page that sent the agent here (?next=, only the pages listed in BACK_TO).
"use strict";

(function () {
  const BACK_TO = ["/console", "/console/dashboard"];
  const next = new URLSearchParams(window.location.search).get("next");
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const csrf = document.querySelector('meta[name="login-csrf"]').getAttribute("content");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const user = document.getElementById("login-user").value.trim();
    const password = document.getElementById("login-password").value;
    if (!user || !password) {
      error.textContent = "Please enter your user name and password.";
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch("/console/api/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ user, password }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        window.location.assign(BACK_TO.includes(next) ? next : body.redirect || "/console");
        return;
      }
      const detail = body.detail || {};
      error.textContent = detail.message || "Sign-in failed (" + response.status + ").";
    } catch (e) {
      error.textContent = "The console is not reachable right now. Please try again.";
    } finally {
      button.disabled = false;
    }
  });
})();
