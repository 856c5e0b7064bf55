// The steps after a password (Cognito sign-in): confirming a new account with the emailed code,
// the code from an authenticator app when the account has two-step sign-in, setting it up when
// the pool requires it; and the "Two-step sign-in" dialog of a signed-in climber.
//
// Keys are shown as text and as an otpauth:// link (which a phone opens in its authenticator
// app); nothing here builds HTML from server text.

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";

const SIX_DIGITS = /^[0-9]{6}$/;

const STEPS = {
  confirm: {
    title: "Confirm your email",
    label: "Confirmation code",
    submit: "Confirm",
    lede: (email) => `We emailed a 6-digit code to ${email}. Enter it to finish creating your account.`,
  },
  SOFTWARE_TOKEN_MFA: {
    title: "Two-step sign-in",
    label: "Authenticator code",
    submit: "Sign in",
    lede: () => "Enter the 6-digit code from your authenticator app.",
  },
  MFA_SETUP: {
    title: "Set up two-step sign-in",
    label: "Authenticator code",
    submit: "Turn on and sign in",
    lede: () => "This account needs two-step sign-in. Add the key below to your authenticator app, then enter the code it shows.",
  },
};

function asApiError(error) {
  return error instanceof ApiError ? error : new ApiError(0, "internal", String(error));
}

/** The code screen of the sign-in card. `done()` is called once signed in; `back(notice)`
 *  returns to the password form. */
export class CodeStep {
  #session;
  #done;
  #back;
  #step = null;
  #email = "";
  #password = "";
  #challengeSession = "";

  constructor(session, done, back) {
    this.#session = session;
    this.#done = done;
    this.#back = back;
    $("#code-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    $("#code-resend").addEventListener("click", () => this.#resend());
    $("#code-back").addEventListener("click", () => this.#leave(""));
  }

  get open() {
    return !$("#code-form").hidden;
  }

  /** The emailed-code step; with `password`, signing in follows the confirmation. */
  confirm(email, password, notice = "") {
    this.#password = password;
    this.#open("confirm", email, notice);
  }

  /** A sign-in challenge from the server ({challenge, session, message}). */
  async challenge(email, challenge) {
    this.#challengeSession = challenge.session;
    this.#open(challenge.challenge, email, "");
    if (challenge.challenge === "MFA_SETUP") await this.#fetchKey();
  }

  close() {
    $("#code-form").hidden = true;
    $("#code-key").hidden = true;
    this.#step = null;
    this.#password = "";
    this.#challengeSession = "";
  }

  #open(step, email, notice) {
    const text = STEPS[step];
    if (!text) throw new Error(`unknown step ${step}`);
    this.#step = step;
    this.#email = email;
    $("#code-title").textContent = text.title;
    $("#code-lede").textContent = text.lede(email);
    $("#code-label").textContent = text.label;
    $("#code-submit").textContent = text.submit;
    $("#code-resend").hidden = step !== "confirm";
    $("#code-key").hidden = true;
    $("#code-input").value = "";
    this.#error("");
    this.#notice(notice);
    $("#code-form").hidden = false;
    $("#code-input").focus();
  }

  async #fetchKey() {
    try {
      const key = await this.#session.mfaSetupKey(this.#challengeSession, this.#email);
      this.#challengeSession = key.session || this.#challengeSession;
      showKey("code", key);
    } catch (error) {
      this.#refused(asApiError(error));
    }
  }

  async #submit() {
    this.#error("");
    this.#notice("");
    const code = $("#code-input").value.replace(/\s+/g, "");
    if (!SIX_DIGITS.test(code)) {
      this.#error("Enter the 6 digits of the code.", true);
      return;
    }
    const button = $("#code-submit");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      if (this.#step === "confirm") {
        await this.#session.confirmSignUp(this.#email, code);
        if (!this.#password) {
          this.#leave("Email confirmed. Sign in with your password.");
          return;
        }
        const password = this.#password;
        this.#password = "";
        const challenge = await this.#session.signIn(this.#email, password);
        if (challenge) {
          await this.challenge(this.#email, challenge);
          return;
        }
      } else {
        await this.#session.answerChallenge(this.#email, this.#challengeSession, code, this.#step);
      }
      this.close();
      this.#done();
    } catch (error) {
      this.#refused(asApiError(error));
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  #refused(error) {
    if (error.reason === "session_expired") {
      this.#leave("That took too long. Sign in again.");
    } else if (error.reason === "code_mismatch" || error.status === 422) {
      this.#error(this.#step === "confirm"
        ? "That code doesn't match. Check the latest email, or send the code again."
        : "That code doesn't match. Use the code your app shows now.", true);
    } else {
      this.#error(error.message);
    }
  }

  async #resend() {
    this.#error("");
    try {
      this.#notice(await this.#session.resendCode(this.#email));
    } catch (error) {
      this.#error(asApiError(error).message);
    }
  }

  #leave(notice) {
    this.close();
    this.#back(notice);
  }

  #error(message, onField = false) {
    $("#err-code").textContent = onField ? message : "";
    $("#err-code").hidden = !(onField && message);
    $("#code-error").textContent = onField ? "" : message;
    $("#code-error").hidden = onField || !message;
    if (onField && message) {
      $("#code-input").setAttribute("aria-invalid", "true");
      $("#code-input").focus();
    } else {
      $("#code-input").removeAttribute("aria-invalid");
    }
  }

  #notice(message) {
    $("#code-notice").textContent = message;
    $("#code-notice").hidden = !message;
  }
}

function showKey(prefix, key) {
  $(`#${prefix}-secret`).textContent = groups(key.secret);
  const link = $(`#${prefix}-link`);
  link.hidden = !key.otpauthUri;
  if (key.otpauthUri) link.href = key.otpauthUri;
  // A phone scans the QR code from a computer's screen; on the phone itself the link opens
  // its authenticator app.
  const qr = $(`#${prefix}-qr`);
  qr.hidden = !key.qrCode;
  if (key.qrCode) qr.src = key.qrCode;
  $(`#${prefix}-key`).hidden = false;
}

/** A long base32 key in groups of four, easier to type into an app. */
function groups(secret) {
  return String(secret).replace(/(.{4})(?=.)/g, "$1 ");
}

/** The signed-in climber's "Two-step sign-in" dialog (Cognito only: the button stays hidden
 *  when the server keeps its own accounts). */
export class TwoStepPanel {
  #session;
  #enabled = false;
  #settingUp = false;
  #dialog = $("#two-step");

  constructor(session) {
    this.#session = session;
    $("#open-two-step").addEventListener("click", () => this.#open());
    $("#two-step-close").addEventListener("click", () => this.#dialog.close());
    $("#two-step-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#act();
    });
  }

  /** Show the button when this server offers two-step sign-in. */
  async offer() {
    try {
      const status = await this.#session.request("/auth/totp");
      this.#enabled = Boolean(status && status.enabled);
      $("#open-two-step").hidden = !(status && status.available); // local accounts: none
    } catch {
      $("#open-two-step").hidden = true; // not reachable now
    }
  }

  withdraw() {
    $("#open-two-step").hidden = true;
    if (this.#dialog.open) this.#dialog.close();
  }

  async #open() {
    this.#settingUp = false;
    this.#render();
    this.#dialog.showModal();
    try {
      const status = await this.#session.request("/auth/totp");
      this.#enabled = Boolean(status && status.enabled);
      this.#render();
    } catch (error) {
      this.#error(asApiError(error).message);
    }
  }

  #render() {
    const state = this.#enabled
      ? "On: signing in asks for a code from your authenticator app."
      : this.#settingUp
        ? ""
        : "Off: signing in asks only for your password. Turn it on to also ask for a code from an authenticator app.";
    $("#two-step-state").textContent = state;
    $("#two-step-state").hidden = !state;
    $("#two-step-key").hidden = !this.#settingUp;
    $("#two-step-action").textContent = this.#enabled ? "Turn off" : this.#settingUp ? "Turn on" : "Set up";
    $("#two-step-action").classList.toggle("danger", this.#enabled);
    this.#error("");
  }

  async #act() {
    const button = $("#two-step-action");
    button.disabled = true;
    try {
      if (this.#enabled) {
        await this.#session.request("/auth/totp", "DELETE");
        this.#enabled = false;
      } else if (!this.#settingUp) {
        const key = await this.#session.request("/auth/totp", "POST");
        this.#settingUp = true;
        this.#render();
        showKey("two-step", key);
        $("#two-step-code").value = "";
        $("#two-step-code").focus();
        return;
      } else {
        const code = $("#two-step-code").value.replace(/\s+/g, "");
        if (!SIX_DIGITS.test(code)) {
          this.#error("Enter the 6 digits your app shows.");
          return;
        }
        await this.#session.request("/auth/totp/verify", "POST", { code });
        this.#enabled = true;
        this.#settingUp = false;
      }
      this.#render();
    } catch (error) {
      const refused = asApiError(error);
      this.#error(refused.reason === "code_mismatch"
        ? "That code doesn't match. Use the code your app shows now."
        : refused.message);
    } finally {
      button.disabled = false;
    }
  }

  #error(message) {
    $("#two-step-error").textContent = message;
    $("#two-step-error").hidden = !message;
  }
}
