// The sign-in / create-account form, showing the server's own error message and per-field
// errors (`error.fields`) next to the fields they concern. The code steps that may follow a
// password (confirming the email, an authenticator code) are mfa.js's `CodeStep`.

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";
import { CodeStep, TwoStepPanel } from "./mfa.js";

const FIELDS = ["name", "email", "password"];

export class AuthView {
  #session;
  #onSignedIn;
  #mode = "signin";
  #form = $("#auth-form");
  #codes;
  #twoStep;

  constructor(session, onSignedIn) {
    this.#session = session;
    this.#onSignedIn = onSignedIn;
    this.#codes = new CodeStep(session, () => this.#signedIn(), (notice) => this.#passwordForm(notice));
    this.#twoStep = new TwoStepPanel(session);
    $("#tab-signin").addEventListener("click", () => this.#setMode("signin"));
    $("#tab-signup").addEventListener("click", () => this.#setMode("signup"));
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  show(notice = "") {
    this.#twoStep.withdraw();
    $("#auth-view").hidden = false;
    this.#passwordForm(notice);
  }

  /** Signed in: the card goes, and the two-step sign-in button comes where offered. */
  hide() {
    $("#auth-view").hidden = true;
    this.#codes.close();
    this.#twoStep.offer();
  }

  #passwordForm(notice) {
    this.#codes.close();
    $(".auth-tabs").hidden = false;
    this.#form.hidden = false;
    this.#clearErrors();
    this.#notice(notice);
    $("#auth-password").value = "";
    $("#auth-email").focus();
  }

  /** The password form gives way to a code step. */
  #toCodes() {
    $(".auth-tabs").hidden = true;
    this.#form.hidden = true;
    $("#auth-password").value = "";
  }

  #signedIn() {
    $("#auth-password").value = "";
    this.#onSignedIn();
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
          this.#toCodes();
          this.#codes.confirm(email, password, "Account created.");
          return;
        }
      } else {
        const challenge = await this.#session.signIn(email, password);
        if (challenge) {
          this.#toCodes();
          await this.#codes.challenge(email, challenge);
          return;
        }
      }
      this.#signedIn();
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, "internal", String(error));
      if (apiError.reason === "not_confirmed") {
        this.#toCodes();
        this.#codes.confirm(email, password,
          "This account isn't confirmed yet. Enter the code from the email we sent, or send it again.");
        return;
      }
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
