// The chat socket (protocol v7.chat.v1): connect with the access token as a subprotocol,
// reconnect with exponential backoff and jitter, refresh the token on the open socket, and
// resend unanswered `say` frames with their original id (the server answers a repeated id
// again instead of running it twice, so a resend never logs a session twice).

import { randomId } from "./dom.js";

const PROTOCOL = "v7.chat.v1";
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
const RATE_LIMIT_PAUSE_MS = 10_000;
const READY_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_RATE_LIMIT = 4029;
const CLOSE_POLICY = 1008;
const TOO_MANY = "too many connections";

/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  // "Equal jitter": at least half the ceiling, so retries never bunch up at zero.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Events: "state" (detail {state: connecting|online|offline|paused|stopped, retryAt, attempt};
 * "paused": the server closed this socket to keep the climber's newer ones open, and it waits
 * for `retryNow`),
 * "frame" (detail = a parsed server frame), "unauthorized" (the token was refused and could
 * not be refreshed). `session` provides accessToken and refresh().
 */
export class Connection extends EventTarget {
  #session;
  #socket = null;
  #state = "stopped";
  #attempt = 0;
  #retryAt = 0;
  #retryTimer = 0;
  #readyTimer = 0;
  #pingTimer = 0;
  #pongTimer = 0;
  #rejectedInARow = 0;
  #pending = new Map(); // say id -> {frame, sent}

  constructor(session) {
    super();
    this.#session = session;
    session.addEventListener("token", (event) => this.#sendNow({ type: "auth", token: event.detail }));
    window.addEventListener("online", () => this.retryNow());
  }

  get state() {
    return this.#state;
  }

  start() {
    if (this.#state !== "stopped") return;
    this.#attempt = 0;
    this.#open();
  }

  stop() {
    this.#setState("stopped");
    this.#pending.clear();
    this.#teardown(1000, "signed out");
  }

  retryNow() {
    if (this.#state !== "offline" && this.#state !== "paused") return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  /**
   * Send a say (now, or once online). Returns its id (`prefix` and random hex); the answer
   * carries it as reply_to.
   */
  say(text, prefix = "c") {
    const frame = { type: "say", id: randomId(prefix), text };
    this.#pending.set(frame.id, { frame, sent: false });
    if (this.#state === "online") this.#flushPending();
    return frame.id;
  }

  /** Send any other frame (confirm, dismiss, stop, resume); false when not online. */
  send(frame) {
    return this.#state === "online" && this.#sendNow(frame);
  }

  isPending(id) {
    return this.#pending.has(id);
  }

  #sendNow(frame) {
    if (!this.#socket || this.#socket.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #open() {
    const token = this.#session.accessToken;
    if (!token) {
      this.#refreshThenOpen();
      return;
    }
    this.#setState("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`, [PROTOCOL, `bearer.${token}`]);
    } catch {
      this.#scheduleRetry(0);
      return;
    }
    this.#socket = socket;
    socket.addEventListener("message", (event) => this.#onMessage(socket, event));
    socket.addEventListener("close", (event) => this.#onClose(socket, event.code, event.reason));
    this.#readyTimer = setTimeout(() => this.#drop(socket), READY_TIMEOUT_MS);
  }

  async #refreshThenOpen() {
    this.#setState("connecting");
    const token = await this.#session.refresh();
    if (this.#state === "stopped") return;
    if (token) {
      this.#open();
    } else if (this.#session.signedIn) {
      this.#scheduleRetry(0); // network trouble: the session stands, try again later
    } else {
      this.stop();
      this.dispatchEvent(new Event("unauthorized"));
    }
  }

  #onMessage(socket, event) {
    if (socket !== this.#socket) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "ready") {
      clearTimeout(this.#readyTimer);
      this.#attempt = 0;
      this.#rejectedInARow = 0;
      this.#setState("online");
      this.#startPinging();
      this.#flushPending();
    } else if (frame.type === "pong") {
      clearTimeout(this.#pongTimer);
      return;
    }
    if (typeof frame.reply_to === "string") this.#pending.delete(frame.reply_to);
    this.dispatchEvent(new CustomEvent("frame", { detail: frame }));
  }

  #flushPending() {
    // Oldest first (Map keeps insertion order): resent says keep their ids.
    for (const entry of this.#pending.values()) {
      if (!this.#sendNow(entry.frame)) return;
      entry.sent = true;
    }
  }

  #startPinging() {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      const socket = this.#socket;
      if (!socket || !this.#sendNow({ type: "ping", id: randomId("p") })) return;
      clearTimeout(this.#pongTimer);
      this.#pongTimer = setTimeout(() => this.#drop(socket), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  /** Give up on a socket that stopped answering, without waiting for a closing handshake. */
  #drop(socket) {
    if (socket !== this.#socket) return;
    this.#teardown(4000, "no answer");
    this.#scheduleRetry(0);
  }

  #onClose(socket, code, reason) {
    if (socket !== this.#socket) return;
    this.#teardown();
    if (this.#state === "stopped") return;
    if (code === CLOSE_POLICY && reason === TOO_MANY) {
      // The climber has more sockets open than the server allows and this one was the oldest.
      // Reconnecting on its own would close another tab in turn, and that one this: wait.
      this.#setState("paused");
      return;
    }
    if (code === CLOSE_UNAUTHORIZED) {
      this.#rejectedInARow += 1;
      if (this.#rejectedInARow <= 2) {
        this.#refreshThenOpen();
        return;
      }
    }
    this.#scheduleRetry(code === CLOSE_RATE_LIMIT ? RATE_LIMIT_PAUSE_MS : 0);
  }

  #teardown(code, reason) {
    clearTimeout(this.#readyTimer);
    clearTimeout(this.#pongTimer);
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket && code !== undefined && socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  #scheduleRetry(minimumMs) {
    const delay = Math.max(minimumMs, backoffDelay(this.#attempt));
    this.#attempt += 1;
    this.#retryAt = Date.now() + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#open(), delay);
    this.#setState("offline");
  }

  #setState(state) {
    this.#state = state;
    if (state !== "offline") clearTimeout(this.#retryTimer);
    this.dispatchEvent(new CustomEvent("state", {
      detail: { state, retryAt: state === "offline" ? this.#retryAt : 0, attempt: this.#attempt },
    }));
  }
}
