// The "API tokens" dialog: the climber's personal API tokens (Premium), listed, created and
// revoked.
//
// The server decides everything: whether the tier includes API access and what it adds
// (`GET /users/tokens` says so, never a copy of the tiers here). A new token is shown once, in
// the dialog, with a copy button; it is dropped from the page when the dialog closes, and never
// written anywhere else (no storage, no log).

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";

const TOKENS = "/users/tokens";

function asApiError(error) {
  return error instanceof ApiError ? error : new ApiError(0, "internal", String(error));
}

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }) : "";
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "never";
}

export class TokensPanel {
  #session;
  #dialog = $("#api-tokens");
  #busy = false;
  #confirming = null; // the id of the token whose revocation awaits confirmation

  constructor(session) {
    this.#session = session;
    $("#open-tokens").addEventListener("click", () => this.#open());
    $("#api-tokens-close").addEventListener("click", () => this.#dialog.close());
    this.#dialog.addEventListener("close", () => this.#forgetNewToken());
    $("#api-token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#create();
    });
    $("#api-token-copy").addEventListener("click", () => this.#copy());
  }

  /** Signed in: the header button shows. */
  offer() {
    $("#open-tokens").hidden = false;
  }

  /** Signed out: the button goes, the dialog closes, nothing of the account stays. */
  withdraw() {
    $("#open-tokens").hidden = true;
    if (this.#dialog.open) this.#dialog.close();
    $("#api-token-list").replaceChildren();
  }

  async #open() {
    this.#notice("");
    this.#error("");
    this.#confirming = null;
    this.#forgetNewToken();
    this.#dialog.showModal();
    await this.#load();
  }

  async #load() {
    this.#dialog.setAttribute("aria-busy", "true");
    try {
      this.#render(await this.#session.request(TOKENS));
    } catch (error) {
      this.#error(asApiError(error).message);
    } finally {
      this.#dialog.removeAttribute("aria-busy");
    }
  }

  #render(answer) {
    const allowed = Boolean(answer.apiAccess);
    $("#api-tokens-offer").textContent = answer.offer || "";
    $("#api-tokens-offer").hidden = allowed;
    $("#api-token-form").hidden = !allowed;
    const list = $("#api-token-list");
    list.replaceChildren(...answer.tokens.map((token) => this.#row(token)));
    $("#api-tokens-none").hidden = answer.tokens.length > 0;
  }

  #row(token) {
    const item = document.createElement("li");
    item.className = "api-token";
    const name = document.createElement("strong");
    name.textContent = token.name; // the climber's text: always as text, never as markup
    const facts = document.createElement("span");
    facts.className = "field-help";
    const scope = token.scopes.includes("write") ? "read and write" : "read only";
    const expiry = token.expiresAt ? `, expires ${day(token.expiresAt)}` : "";
    facts.textContent = `${token.prefix}… · ${scope} · last used ${when(token.lastUsedAt)}${expiry}`;
    const revoke = document.createElement("button");
    revoke.type = "button";
    const asking = this.#confirming === token.id;
    revoke.className = asking ? "danger-button" : "ghost-button";
    revoke.textContent = asking ? "Revoke now" : "Revoke";
    revoke.setAttribute("aria-label", asking ? `Revoke ${token.name} now` : `Revoke ${token.name}`);
    revoke.addEventListener("click", () => this.#revoke(token));
    item.append(name, facts, revoke);
    if (asking) {
      const warning = document.createElement("span");
      warning.className = "form-error";
      warning.textContent = "Anything using this token stops working at once.";
      item.append(warning);
    }
    return item;
  }

  async #create() {
    if (this.#busy) return;
    const name = $("#api-token-name").value.trim();
    const scopes = $("#api-token-write").checked ? ["read", "write"] : ["read"];
    this.#busy = true;
    this.#notice("");
    this.#error("");
    $("#api-token-create").disabled = true;
    try {
      const created = await this.#session.request(TOKENS, "POST", { name, scopes });
      $("#api-token-value").textContent = created.token;
      $("#api-token-new").hidden = false;
      $("#api-token-name").value = "";
      $("#api-token-write").checked = false;
      this.#notice("Token created. Copy it now: it is shown only this once.");
      await this.#load();
      $("#api-token-copy").focus();
    } catch (error) {
      this.#error(asApiError(error).message);
    } finally {
      this.#busy = false;
      $("#api-token-create").disabled = false;
    }
  }

  async #revoke(token) {
    if (this.#busy) return;
    if (this.#confirming !== token.id) {
      this.#confirming = token.id; // first click asks, the second revokes
      await this.#load();
      return;
    }
    this.#busy = true;
    this.#error("");
    try {
      await this.#session.request(`${TOKENS}/${encodeURIComponent(token.id)}`, "DELETE");
      this.#confirming = null;
      this.#notice(`Revoked ${token.name}.`);
      await this.#load();
    } catch (error) {
      this.#error(asApiError(error).message);
    } finally {
      this.#busy = false;
    }
  }

  async #copy() {
    try {
      await navigator.clipboard.writeText($("#api-token-value").textContent);
      this.#notice("Copied.");
    } catch {
      this.#error("Copying was not allowed here: select the token and copy it by hand.");
    }
  }

  #forgetNewToken() {
    $("#api-token-value").textContent = "";
    $("#api-token-new").hidden = true;
  }

  #notice(message) {
    $("#api-tokens-status").textContent = message;
    $("#api-tokens-status").hidden = !message;
  }

  #error(message) {
    $("#api-tokens-error").textContent = message;
    $("#api-tokens-error").hidden = !message;
  }
}
