// The sign-in / create-account form, showing the server's own error message and per-field
// errors (`error.fields`) next to the fields they concern.

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";

const FIELDS = ["name", "email", "password"];

export class AuthView {
  #session;
  #onSignedIn;
  #mode = "signin";
  #form = $("#auth-form");

  constructor(session, onSignedIn) {
    this.#session = session;
    this.#onSignedIn = onSignedIn;
    $("#tab-signin").addEventListener("click", () => this.#setMode("signin"));
    $("#tab-signup").addEventListener("click", () => this.#setMode("signup"));
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  show(notice = "") {
    $("#auth-view").hidden = false;
    this.#clearErrors();
    this.#notice(notice);
    $("#auth-password").value = "";
    $("#auth-email").focus();
  }

  hide() {
    $("#auth-view").hidden = true;
  }

  #setMode(mode) {
    this.#mode = mode;
    const signup = mode === "signup";
    $("#tab-signin").setAttribute("aria-selected", String(!signup));
    $("#tab-signup").setAttribute("aria-selected", String(signup));
    $("#field-name").hidden = !signup;
    $("#password-help").hidden = !signup;
    $("#auth-password").autocomplete = signup ? "new-password" : "current-password";
    $("#auth-submit").textContent = signup ? "Create account" : "Sign in";
    this.#clearErrors();
    this.#notice("");
    (signup ? $("#auth-name") : $("#auth-email")).focus();
  }

  async #submit() {
    this.#clearErrors();
    this.#notice("");
    const email = $("#auth-email").value.trim();
    const password = $("#auth-password").value;
    const name = $("#auth-name").value.trim();
    const missing = [];
    if (!email) missing.push({ field: "email", message: "Enter your email address." });
    if (!password) missing.push({ field: "password", message: "Enter your password." });
    if (missing.length) {
      this.#showFieldErrors(missing);
      return;
    }
    const button = $("#auth-submit");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      if (this.#mode === "signup") {
        const outcome = await this.#session.signUp(email, password, name);
        if (outcome.confirmationRequired) {
          this.#setMode("signin");
          this.#notice("Account created. Confirm it from the email we sent, then sign in.");
          return;
        }
      } else {
        await this.#session.signIn(email, password);
      }
      $("#auth-password").value = "";
      this.#onSignedIn();
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, "internal", String(error));
      const placed = this.#showFieldErrors(apiError.fields);
      if (!placed || apiError.fields.length === 0) this.#formError(apiError.message);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  /** Show each field error under its input; true when at least one found its field. */
  #showFieldErrors(fields) {
    let placed = false;
    let first = null;
    for (const { field, message } of fields || []) {
      const name = String(field || "").split(".").pop();
      if (!FIELDS.includes(name)) continue;
      const input = $(`#auth-${name}`);
      const slot = $(`#err-${name}`);
      slot.textContent = fieldMessage(name, message);
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      first = first || input;
      placed = true;
    }
    first?.focus();
    return placed;
  }

  #clearErrors() {
    for (const name of FIELDS) {
      $(`#err-${name}`).hidden = true;
      $(`#err-${name}`).textContent = "";
      $(`#auth-${name}`).removeAttribute("aria-invalid");
    }
    $("#auth-error").hidden = true;
    $("#auth-error").textContent = "";
  }

  #formError(message) {
    $("#auth-error").textContent = message;
    $("#auth-error").hidden = false;
  }

  #notice(message) {
    $("#auth-notice").textContent = message;
    $("#auth-notice").hidden = !message;
  }
}

function fieldMessage(name, message) {
  const text = String(message || "This doesn't look right.");
  return /^string should/i.test(text) ? `${capitalized(name)}: ${text.toLowerCase()}.` : text;
}

function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
