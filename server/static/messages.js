// The conversation: user bubbles, coach replies (whole or streamed), errors, saved-entry cards
// with Undo, and proposal cards with Confirm / Dismiss. Text is only ever set as text.

import { cardBody, titleFor, undoKey } from "./cards.js";
import { clear, h } from "./dom.js";

const EXAMPLES = [
  "/log gym 90min rpe 7 sent V4 V5 tried V6",
  '/send V7 "Midnight Lightning" @Yosemite',
  "/goal V8 boulder by 2027-06-30",
  "/help",
];

/**
 * `actions`: undo(token) → say id, confirm(id) / dismiss(id) / stop(stream) → bool (sent),
 * useExample(text), refused(text): the server answered the climber's say with an error.
 */
export class ChatView {
  #root;
  #actions;
  #users = new Map(); // say id -> bubble
  #undoing = new Map(); // say id of an undo -> card
  #streams = new Map(); // stream id -> {bubble, text, next, early}
  #proposals = new Map(); // proposal id -> card

  constructor(root, actions) {
    this.#root = root;
    this.#actions = actions;
  }

  reset() {
    clear(this.#root);
    this.#users.clear();
    this.#undoing.clear();
    this.#streams.clear();
    this.#proposals.clear();
    this.#root.appendChild(this.#welcome());
  }

  addUser(id, text, queued) {
    const bubble = h("div", {
      className: "msg user",
      dataset: { say: id, state: queued ? "queued" : "sending" },
    }, h("p", { className: "msg-text", text }),
    h("span", { className: "msg-status", text: queued ? "Waiting for connection…" : "" }));
    this.#users.set(id, bubble);
    this.#add(bubble, true);
  }

  /** Mark every user bubble still waiting as sending (after a reconnect). */
  markSending() {
    for (const bubble of this.#users.values()) {
      if (bubble.dataset.state === "queued") {
        bubble.dataset.state = "sending";
        bubble.querySelector(".msg-status").textContent = "";
      }
    }
    // A confirm / dismiss whose answer was lost with the old socket can be tried again.
    for (const card of this.#proposals.values()) {
      if (card.dataset.state !== "proposed") this.#reopen(card, "");
    }
  }

  /** Streams that had not ended when the socket dropped: [{stream, after}]. */
  openStreams() {
    return Array.from(this.#streams, ([stream, state]) => ({ stream, after: state.next - 1 }));
  }

  handle(frame) {
    if (typeof frame.reply_to === "string") this.#answered(frame.reply_to, frame.type === "error");
    if (this.#proposals.has(frame.reply_to) && this.#decided(frame)) return;
    switch (frame.type) {
      case "reply":
        this.#add(this.#coach(frame.text));
        break;
      case "saved":
        this.#saved(frame);
        break;
      case "error":
        this.#error(frame);
        break;
      case "proposal":
        this.#proposal(frame);
        break;
      case "stream.start":
        this.#streamStart(frame);
        break;
      case "stream.delta":
        this.#streamDelta(frame);
        break;
      case "stream.end":
        this.#streamEnd(frame);
        break;
      default:
        break;
    }
  }

  /** The server answered say `id`; `refused`: with an error, so its text goes back to fix. */
  #answered(id, refused) {
    const bubble = this.#users.get(id);
    if (!bubble) return;
    bubble.dataset.state = refused ? "refused" : "answered";
    bubble.querySelector(".msg-status").textContent = refused ? "Not sent" : "";
    this.#users.delete(id);
    if (refused) this.#actions.refused?.(bubble.querySelector(".msg-text").textContent);
  }

  #coach(text, extraClass = "") {
    return h("div", { className: `msg coach ${extraClass}`.trim() },
      h("p", { className: "msg-text", text: String(text ?? "") }));
  }

  #saved(frame) {
    if (frame.kind === "undo") {
      this.#undone(frame);
      return;
    }
    const item = frame.item || {};
    const card = h("article", {
      className: "card saved",
      dataset: { kind: frame.kind, key: undoKey(frame.kind, item), state: "saved" },
      attrs: { "aria-label": `${titleFor(frame.kind)} saved` },
    });
    const status = h("span", { className: "card-status", text: "Saved" });
    const head = h("header", { className: "card-head" },
      h("span", { className: `card-kind kind-${cssSafe(frame.kind)}`, text: titleFor(frame.kind) }),
      status);
    const feedback = h("p", { className: "card-feedback", attrs: { role: "alert" }, hidden: true });
    const children = [head, ...cardBody(frame.kind, item), feedback];
    if (frame.undo) {
      const button = h("button", {
        className: "ghost-button undo-button",
        attrs: { type: "button" },
        text: "Undo",
        on: { click: () => this.#undo(card, frame.undo) },
      });
      children.push(h("footer", { className: "card-actions" }, button));
    }
    for (const child of children) if (child) card.appendChild(child);
    this.#add(card);
  }

  #undo(card, token) {
    const button = card.querySelector(".undo-button");
    button.disabled = true;
    button.textContent = "Undoing…";
    this.#hideFeedback(card);
    this.#undoing.set(this.#actions.undo(token), card);
  }

  #undone(frame) {
    const item = frame.item || {};
    const card = this.#undoing.get(frame.reply_to) || this.#findCard(item.undone, String(item.id ?? ""));
    this.#undoing.delete(frame.reply_to);
    if (card) {
      card.dataset.state = "undone";
      card.querySelector(".card-status").textContent = "Undone";
      card.querySelector(".card-actions")?.remove();
      card.setAttribute("aria-label", `${titleFor(card.dataset.kind)} undone`);
    }
    this.#add(h("p", { className: "note", text: `Undid the ${titleFor(item.undone).toLowerCase()}.` }));
  }

  #findCard(kind, key) {
    const cards = this.#root.querySelectorAll('article.card.saved[data-state="saved"]');
    for (let i = cards.length - 1; i >= 0; i -= 1) {
      if (cards[i].dataset.kind === kind && cards[i].dataset.key === key) return cards[i];
    }
    return null;
  }

  #error(frame) {
    const card = this.#undoing.get(frame.reply_to);
    if (card) {
      this.#undoing.delete(frame.reply_to);
      const button = card.querySelector(".undo-button");
      if (button) {
        button.disabled = false;
        button.textContent = "Undo";
      }
      const feedback = card.querySelector(".card-feedback");
      feedback.textContent = frame.message || "That could not be undone.";
      feedback.hidden = false;
      return;
    }
    const bubble = h("div", { className: "msg error", attrs: { role: "alert" } },
      h("p", { className: "msg-text", text: frame.message || "Something went wrong." }));
    if (frame.retry_after_ms) {
      bubble.appendChild(h("span", {
        className: "msg-status",
        text: `Try again in ${Math.ceil(frame.retry_after_ms / 1000)}s.`,
      }));
    }
    this.#add(bubble);
  }

  #hideFeedback(card) {
    const feedback = card.querySelector(".card-feedback");
    feedback.hidden = true;
    feedback.textContent = "";
  }

  #proposal(frame) {
    const card = h("article", {
      className: "card proposal",
      dataset: { kind: frame.kind, state: "proposed" },
      attrs: { "aria-label": `Proposed ${titleFor(frame.kind).toLowerCase()}` },
    });
    const status = h("span", { className: "card-status", text: "Save this?" });
    const actions = h("footer", { className: "card-actions" },
      h("button", {
        className: "primary-button small", attrs: { type: "button" }, text: "Confirm",
        on: { click: () => this.#decide(card, frame.id, "confirm") },
      }),
      h("button", {
        className: "ghost-button", attrs: { type: "button" }, text: "Dismiss",
        on: { click: () => this.#decide(card, frame.id, "dismiss") },
      }));
    const feedback = h("p", { className: "card-feedback", attrs: { role: "alert" }, hidden: true });
    const body = [
      h("header", { className: "card-head" },
        h("span", { className: `card-kind kind-${cssSafe(frame.kind)}`, text: titleFor(frame.kind) }),
        status),
      ...cardBody(frame.kind, frame.item || {}),
      feedback,
      actions,
    ];
    for (const child of body) if (child) card.appendChild(child);
    this.#proposals.set(frame.id, card);
    this.#add(card);
  }

  #decide(card, proposalId, decision) {
    const feedback = card.querySelector(".card-feedback");
    if (!this.#actions[decision](proposalId)) {
      feedback.textContent = "You're offline; try again once connected.";
      feedback.hidden = false;
      return;
    }
    feedback.hidden = true;
    // The card waits for the server's answer (#decided): a refused confirm keeps the proposal.
    card.dataset.state = decision === "confirm" ? "confirming" : "dismissing";
    card.querySelector(".card-status").textContent = decision === "confirm" ? "Saving…" : "Dismissing…";
    for (const button of card.querySelectorAll(".card-actions button")) button.disabled = true;
  }

  /** An answer about a proposal card (`reply_to` is its id): `saved` (from any tab) confirms it,
   * `reply` dismisses it, `error` reopens it with the message. True when nothing else shows it. */
  #decided(frame) {
    const card = this.#proposals.get(frame.reply_to);
    if (frame.type === "error") {
      this.#reopen(card, frame.message || "That could not be saved.");
      return true;
    }
    if (frame.type !== "saved" && frame.type !== "reply") return false;
    const confirmed = frame.type === "saved";
    card.dataset.state = confirmed ? "confirmed" : "dismissed";
    card.querySelector(".card-status").textContent = confirmed ? "Confirmed" : "Dismissed";
    card.querySelector(".card-actions")?.remove();
    this.#proposals.delete(frame.reply_to);
    return false;
  }

  #reopen(card, message) {
    card.dataset.state = "proposed";
    card.querySelector(".card-status").textContent = "Save this?";
    for (const button of card.querySelectorAll(".card-actions button")) button.disabled = false;
    const feedback = card.querySelector(".card-feedback");
    feedback.textContent = message;
    feedback.hidden = !message;
  }

  #streamStart(frame) {
    if (this.#streams.has(frame.stream)) return; // a resumed stream keeps its bubble
    const text = document.createTextNode("");
    const stop = h("button", {
      className: "link-button stop-button", attrs: { type: "button" }, text: "Stop",
      on: { click: () => this.#actions.stop(frame.stream) },
    });
    const bubble = h("div", {
      className: "msg coach streaming",
      attrs: { "aria-busy": "true" },
      dataset: { stream: frame.stream },
    }, h("p", { className: "msg-text" }, text), stop);
    this.#streams.set(frame.stream, { bubble, text, next: 1, early: new Map() });
    this.#add(bubble);
  }

  #streamDelta(frame) {
    const state = this.#streams.get(frame.stream);
    if (!state || typeof frame.seq !== "number" || frame.seq < state.next) return;
    state.early.set(frame.seq, String(frame.text ?? ""));
    // Deltas are appended strictly in seq order; an early one waits for the gap to fill.
    while (state.early.has(state.next)) {
      state.text.appendData(state.early.get(state.next));
      state.early.delete(state.next);
      state.next += 1;
    }
    this.#stickToBottom();
  }

  #streamEnd(frame) {
    const state = this.#streams.get(frame.stream);
    if (!state) return;
    for (const seq of Array.from(state.early.keys()).sort((a, b) => a - b)) {
      state.text.appendData(state.early.get(seq));
    }
    this.#streams.delete(frame.stream);
    state.bubble.classList.remove("streaming");
    state.bubble.removeAttribute("aria-busy");
    state.bubble.querySelector(".stop-button")?.remove();
    const endings = { stopped: "Stopped.", max_tokens: "Cut short: the reply hit its length limit.", error: "The reply failed part-way." };
    if (endings[frame.reason]) {
      state.bubble.appendChild(h("span", { className: "msg-status", text: endings[frame.reason] }));
    }
  }

  #welcome() {
    return h("section", { className: "welcome", attrs: { "aria-label": "Getting started" } },
      h("h2", { className: "welcome-title", text: "Ready when you are" }),
      h("p", { className: "welcome-text", text: "Log a session, a send or a goal in one line. Type / to see every command." }),
      h("div", { className: "welcome-examples" }, EXAMPLES.map((example) => h("button", {
        className: "example-chip", attrs: { type: "button" }, text: example,
        on: { click: () => this.#actions.useExample(example) },
      }))));
  }

  #add(node, force = false) {
    const nearBottom = this.#root.scrollHeight - this.#root.scrollTop - this.#root.clientHeight < 120;
    this.#root.querySelector(".welcome")?.remove();
    this.#root.appendChild(node);
    if (nearBottom || force) node.scrollIntoView({ block: "end", behavior: "smooth" });
  }

  #stickToBottom() {
    const root = this.#root;
    if (root.scrollHeight - root.scrollTop - root.clientHeight < 160) root.scrollTop = root.scrollHeight;
  }
}

function cssSafe(kind) {
  return String(kind).replace(/[^a-z0-9-]/gi, "");
}
