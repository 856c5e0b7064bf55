// The signed-in session: REST calls to /auth/*, where the tokens live, and refreshing them.
//
// Where the tokens live, and why:
// - The access token stays in memory only (this module's closure). Nothing persists it, so a
//   script that runs later in another page load cannot read it from storage.
// - The refresh token is kept in sessionStorage, so a reload of this tab stays signed in
//   without asking for the password again. sessionStorage is per tab and is cleared when the
//   tab closes (unlike localStorage, which would keep a long-lived credential on disk for every
//   future visit). The trade-off: script running in this page could read it. That risk is
//   contained by what the page allows to run — a strict Content-Security-Policy (only our own
//   scripts, no inline code, no third-party origins) and no HTML ever built from user or server
//   text. An HttpOnly cookie would hide it from script entirely but would need CSRF defences on
//   /auth/refresh; it is the better choice once the API serves cookies. Sign-out revokes it.

import { adoptBrowserTimeZone, browserTimeZone } from "./timezone.js";

const REFRESH_KEY = "v7coach.refresh";
// Refresh this long before the access token expires (at most half its lifetime).
const REFRESH_LEAD_MS = 60_000;
const RETRY_MS = 10_000;

export class ApiError extends Error {
  // `reason` is the finer account code of /auth/* refusals (not_confirmed, code_mismatch,
  // session_expired, …), "" when the body has none. `details`: the whole error body (a
  // quota_exceeded refusal's used_bytes and limit_bytes, …).
  constructor(status, code, message, fields = [], reason = "", details = {}) {
    super(message);
    this.details = details;
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.reason = reason;
  }
}

async function postJson(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach the server. Check your connection and try again.");
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const retry = response.headers.get("Retry-After");
    let message = typeof error.message === "string" && error.message
      ? error.message : `The server answered ${response.status}.`;
    if (response.status === 429 && retry) message += ` Try again in ${retry}s.`;
    throw new ApiError(response.status, error.code || "internal", message,
      Array.isArray(error.fields) ? error.fields : [],
      typeof error.reason === "string" ? error.reason : "");
  }
  return data;
}

/** The ApiError of a refused response: its error body's code and message when it has them. */
async function refusal(response) {
  let error = {};
  try {
    const data = await response.json();
    if (data && typeof data.error === "object" && data.error) error = data.error;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const message = typeof error.message === "string" && error.message
    ? error.message : `The server answered ${response.status}.`;
  return new ApiError(response.status, typeof error.code === "string" ? error.code : "internal", message,
    Array.isArray(error.fields) ? error.fields : [], typeof error.reason === "string" ? error.reason : "",
    error);
}

/** Events: "token" (a new access token; detail = token), "signedout". */
export class Session extends EventTarget {
  #accessToken = null;
  #expiresAt = 0;
  #timer = 0;
  #inflight = null;

  get accessToken() {
    return this.#accessToken;
  }

  /** True while there is a session to go on with: an access token or a refresh token. */
  get signedIn() {
    return this.#accessToken !== null || sessionStorage.getItem(REFRESH_KEY) !== null;
  }

  /**
   * Create the account in the browser's time zone. Returns {confirmationRequired}. Throws
   * ApiError (message and fields are for the user).
   */
  async signUp(email, password, name) {
    const timezone = browserTimeZone();
    const account = { email, password, name };
    let data;
    try {
      data = await postJson("/auth/signup", timezone ? { ...account, timezone } : account);
    } catch (error) {
      // A zone this server's tz database lacks must not stop the sign-up: go on without it.
      const aboutZone = error instanceof ApiError && error.fields.some((f) => f.field === "timezone");
      if (!aboutZone) throw error;
      data = await postJson("/auth/signup", account);
    }
    if (data && data.tokens) this.#adopt(data.tokens);
    return { confirmationRequired: Boolean(data && data.confirmationRequired && !data.tokens) };
  }

  /**
   * Sign in, and give the account the browser's time zone if it has none yet. Returns null
   * when signed in, or the server's challenge ({challenge, session, message}) when a code
   * from an authenticator app is needed first (Cognito): answer it with `answerChallenge`.
   */
  async signIn(email, password) {
    const data = await postJson("/auth/signin", { email, password });
    if (data && data.challenge) return data;
    await this.#signedIn(data);
    return null;
  }

  /** Confirm a new account with the emailed code (Cognito). */
  async confirmSignUp(email, code) {
    await postJson("/auth/confirm-signup", { email, code });
  }

  /** Ask for the sign-up code again; the answer's message is for the user. */
  async resendCode(email) {
    const data = await postJson("/auth/resend-code", { email });
    return (data && data.message) || "";
  }

  /** The authenticator key for an MFA_SETUP challenge: {secret, otpauthUri, session}. */
  mfaSetupKey(session, email) {
    return postJson("/auth/mfa/setup", { session, email });
  }

  /** Answer a sign-in challenge with the authenticator's code; signed in afterwards. */
  async answerChallenge(email, session, code, challenge) {
    await this.#signedIn(await postJson("/auth/mfa", { email, session, code, challenge }));
  }

  async #signedIn(tokens) {
    this.#adopt(tokens);
    await adoptBrowserTimeZone(this.#accessToken);
  }

  /** Finish Google/Apple sign-in with the code and state the hosted UI sent back (oauth.js). */
  async signInWithCode(code, state) {
    this.#adopt(await postJson("/auth/oauth/token", { code, state }));
    await adoptBrowserTimeZone(this.#accessToken);
  }

  /**
   * Sign back in from this tab's refresh token; false when there is none or it was refused.
   * When the server cannot be reached the session is kept (true) and the socket retries.
   */
  async restore() {
    if (!sessionStorage.getItem(REFRESH_KEY)) return false;
    const token = await this.refresh();
    if (token) await adoptBrowserTimeZone(token);
    return this.signedIn;
  }

  /**
   * A fresh access token, or null when the refresh token was refused (then the session is
   * over and "signedout" fires). A network failure keeps the session and retries later.
   */
  refresh() {
    // Concurrent callers (the timer, a socket closed with 4001) share one request.
    if (!this.#inflight) {
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = null;
      });
    }
    return this.#inflight;
  }

  async #refresh() {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (!refreshToken) {
      this.#end();
      return null;
    }
    try {
      this.#adopt(await postJson("/auth/refresh", { refreshToken }));
      return this.#accessToken;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
        this.#end();
        return null;
      }
      this.#schedule(RETRY_MS);
      return this.#accessToken && Date.now() < this.#expiresAt ? this.#accessToken : null;
    }
  }

  /**
   * `path` of the REST API with the access token (`method` GET unless given; `body`, when
   * given, sent as JSON), answered as JSON (null for 204). One refresh and retry on 401.
   * Throws ApiError: status 0 when the server cannot be reached, 401 when the session is over,
   * else the server's status with the `code` and `message` of its error body.
   */
  async request(path, method = "GET", body = undefined) {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = this.#accessToken || (await this.refresh());
      if (!token && this.signedIn) {
        throw new ApiError(0, "network", "Can't reach the server. Check your connection and try again.");
      }
      if (!token) break;
      const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      let response;
      try {
        response = await fetch(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch {
        throw new ApiError(0, "network", "Can't reach the server. Check your connection and try again.");
      }
      if (response.status === 401 && attempt === 0) {
        await this.refresh();
        continue;
      }
      if (!response.ok) throw await refusal(response);
      return response.status === 204 ? null : response.json();
    }
    throw new ApiError(401, "unauthorized", "Your session ended. Please sign in again.");
  }

  async signOut() {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    this.#end();
    if (refreshToken) {
      try {
        await postJson("/auth/signout", { refreshToken });
      } catch {
        // Signed out locally either way; the token expires on its own.
      }
    }
  }

  #adopt(tokens) {
    this.#accessToken = tokens.accessToken;
    const lifetimeMs = Math.max(1, Number(tokens.expiresIn) || 300) * 1000;
    this.#expiresAt = Date.now() + lifetimeMs;
    if (tokens.refreshToken) sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    this.#schedule(lifetimeMs - Math.min(REFRESH_LEAD_MS, lifetimeMs / 2));
    this.dispatchEvent(new CustomEvent("token", { detail: this.#accessToken }));
  }

  #schedule(delayMs) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.refresh(), Math.max(1000, delayMs));
  }

  #end() {
    const wasSignedIn = this.signedIn;
    clearTimeout(this.#timer);
    this.#accessToken = null;
    this.#expiresAt = 0;
    sessionStorage.removeItem(REFRESH_KEY);
    if (wasSignedIn) this.dispatchEvent(new Event("signedout"));
  }
}
