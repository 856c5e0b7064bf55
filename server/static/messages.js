// The conversation: user bubbles, coach replies (whole or streamed), errors, saved-entry cards
// with Undo, and proposal cards with Confirm / Dismiss. Text is only ever set as text.
//
// Live frames and the pages of chat history (history.js) go through the same code, so a
// restored conversation looks exactly like the live one. Each message and frame has a key;
// one already on screen is never shown again (a frame may arrive live and also be in a page).
// Pages arrive newest first, so the outcome of a card (an undo, a proposal's confirmation or
// dismissal) can be known before the card itself: it is remembered and applied when the card
// is drawn.
//
// The coach's own words (streamed replies and the assistant messages of history) are drawn as
// the markdown subset of markdown.js (bold, italic, lists, line breaks), built as DOM nodes;
// command replies stay plain text. A streaming reply keeps its raw text and is re-drawn whole
// each time deltas are applied: deltas arrive coalesced (at most one per 40 ms from the server)
// and a reply is a few kilobytes at most, so a re-parse costs far less than a frame, and the
// bubble always shows exactly what the finished reply will (an unclosed "**" shows as typed
// until its closing marker arrives).

import { cardBody, formatDate, titleFor, undoKey } from "./cards.js";
import { append, clear, h } from "./dom.js";
import { markdown } from "./markdown.js";

/** How long a write stays undoable and a proposal answerable (the server's 24 h). */
const UNDO_WINDOW_MS = 24 * 3600 * 1000;
const PROPOSAL_WINDOW_MS = 24 * 3600 * 1000;
const NEAR_TOP_PX = 240;
const ENDINGS = {
  stopped: "Stopped.",
  max_tokens: "Cut short: the reply hit its length limit.",
  error: "The reply failed part-way.",
};
/**
 * The say id prefix of an Undo button's `/undo TOKEN`: no bubble shows for it, live or restored
 * (the card turns "Undone" and a note says what was undone).
 */
export const UNDO_BUTTON = "undo-";
const HISTORY_WORDS = {
  first: "Loading your conversation…",
  older: "Loading earlier messages…",
};

const EXAMPLES = [
  "/log gym 90min rpe 7 sent V4 V5 tried V6",
  '/send V7 "Midnight Lightning" @Yosemite',
  "/goal V8 boulder by 2027-06-30",
  "/help",
];

/**
 * `actions`: undo(token) → say id, confirm(id) / dismiss(id) / stop(stream) / resume(stream)
 * → bool (sent), useExample(text), refused(text): the server answered the climber's say with an
 * error (its text goes back to the composer), mediaPanel(kind, item, {fresh}) → the photos and
 * videos part of a saved card, or null. The history loader sets `onNearTop` (the climber scrolled
 * to the top) and `onRetryHistory` (they asked to try a failed page again).
 */
export class ChatView {
  #root;
  #actions;
  #edge; // above the conversation: loading / could-not-load notes for history pages
  #welcomePanel = null;
  #users = new Map(); // say id -> bubble, until answered
  #saidHere = new Set(); // ids of says sent from this view: their answers come live
  #undoing = new Map(); // say id of an undo -> card
  #streams = new Map(); // stream id -> {bubble, text, next, early}
  #resuming = new Set(); // streams asked for again (they started before this view)
  #proposals = new Map(); // proposal id -> card, until its outcome
  #shown = new Set(); // keys of everything on screen
  #confirmedBy = new Map(); // proposal id -> the saved card that confirmed it
  #dismissed = new Set(); // proposal ids dismissed before their card was drawn
  #undoneLater = []; // [{kind, key}] undos drawn before the card they undid
  #into = null; // while a history page is drawn: the fragment it is drawn into
  #day = null; // the local day of the stored message being drawn (null: live, so today)
  #pageDay = null; // the newest day drawn into the page (#into)
  #bottomDay = null; // the day of the newest message shown
  onNearTop = () => {};
  onRetryHistory = () => {};

  constructor(root, actions) {
    this.#root = root;
    this.#actions = actions;
    this.#edge = h("div", { className: "history-edge" });
    root.addEventListener("scroll", () => {
      if (this.nearTop()) this.onNearTop();
    }, { passive: true });
  }

  /** An empty view for a new conversation (its history is loaded next). */
  reset() {
    clear(this.#root);
    for (const collection of [this.#users, this.#saidHere, this.#undoing, this.#streams,
      this.#resuming, this.#proposals, this.#shown, this.#confirmedBy, this.#dismissed]) {
      collection.clear();
    }
    this.#undoneLater = [];
    this.#into = null;
    this.#day = null;
    this.#pageDay = null;
    this.#bottomDay = null;
    this.#welcomePanel = null;
    clear(this.#edge);
    this.#root.appendChild(this.#edge);
  }

  addUser(id, text, queued) {
    this.#saidHere.add(id);
    this.#shown.add(`say:${id}`);
    const bubble = this.#userBubble(id, text, queued ? "queued" : "sending");
    bubble.querySelector(".msg-status").textContent = queued ? "Waiting for connection…" : "";
    this.#users.set(id, bubble);
    this.#add(bubble, true);
  }

  /** True when the top of the conversation is (nearly) in sight. */
  nearTop() {
    return this.#root.scrollTop < NEAR_TOP_PX;
  }

  /**
   * Show where loading history stands above the conversation: "first" / "older" (loading),
   * "failed" (with a way to try again), "idle" (more to load) or "done".
   */
  showHistoryState(state) {
    clear(this.#edge);
    this.#edge.dataset.state = state;
    if (HISTORY_WORDS[state]) {
      this.#edge.appendChild(h("p", { className: "note", attrs: { role: "status" }, text: HISTORY_WORDS[state] }));
    } else if (state === "failed") {
      this.#edge.appendChild(h("p", { className: "note history-failed", attrs: { role: "alert" } },
        `Couldn't load ${this.#conversationShown() ? "earlier messages" : "your conversation"}. `,
        h("button", {
          className: "link-button", attrs: { type: "button" }, text: "Try again",
          on: { click: () => this.onRetryHistory() },
        })));
    }
  }

  /**
   * Draw a page of chat history (`items` newest first, as GET /chat/history answers) above
   * what is shown, keeping the climber's place; the first page is scrolled to its end. With
   * nothing at all to show, the welcome panel.
   */
  showPage(items, { first = false, more = false } = {}) {
    const root = this.#root;
    // Undos drawn earlier (newer pages, or live) whose card may be on this page; undos on this
    // page whose card is older still are kept for the next one.
    const carried = this.#undoneLater.splice(0);
    const fragment = this.#draw(items.slice().reverse());
    for (const undo of carried) {
      const card = findSavedCard(fragment, undo.kind, undo.key);
      if (card) markUndone(card);
      else this.#undoneLater.push(undo);
    }
    let anchor = this.#edge.nextElementSibling;
    // The page ends on the day the messages below begin with: one divider for that day.
    const sameDay = anchor?.classList.contains("day-divider") && anchor.dataset.day === this.#pageDay;
    const redundant = sameDay ? anchor : null;
    if (redundant) anchor = redundant.nextElementSibling;
    if (!anchor) this.#bottomDay = this.#pageDay ?? this.#bottomDay;
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    // Announce new messages, not a page of old ones.
    root.setAttribute("aria-live", "off");
    this.showHistoryState(more ? "idle" : "done");
    redundant?.remove();
    this.#edge.after(fragment);
    if (first) {
      root.scrollTop = root.scrollHeight;
    } else if (anchor) {
      root.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
    }
    requestAnimationFrame(() => root.setAttribute("aria-live", "polite"));
    if (first && !this.#conversationShown()) this.#showWelcome();
  }

  /**
   * After a reconnect: add what the latest page (`items`, newest first) holds that is newer
   * than the newest message already shown and is not shown yet (frames sent while offline).
   */
  catchUp(items) {
    const oldestFirst = items.slice().reverse();
    const lastShown = oldestFirst.findLastIndex((message) => this.#shown.has(storedKey(message)));
    if (lastShown < 0 && this.#conversationShown()) return; // a gap too big to place: leave it
    for (const message of oldestFirst.slice(lastShown + 1)) this.#stored(message);
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

  /** A frame as it arrives on the socket. */
  handle(frame) {
    if (typeof frame.reply_to === "string") this.#answered(frame.reply_to, frame.type === "error");
    switch (frame.type) {
      case "error":
        if (this.#proposals.has(frame.reply_to)) {
          // A refused confirm or dismiss: the proposal is still there, ready to try again.
          this.#reopen(this.#proposals.get(frame.reply_to), frame.message || "That could not be saved.");
          break;
        }
        this.#error(frame);
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
        this.#frame(frame, null);
        break;
    }
  }

  /** Draw stored messages (oldest first) into a fragment, to be put above what is shown. */
  #draw(messages) {
    const fragment = document.createDocumentFragment();
    this.#into = fragment;
    this.#pageDay = null;
    try {
      for (const message of messages) this.#stored(message);
    } finally {
      this.#into = null;
    }
    return fragment;
  }

  /** One stored message: the climber's words or command, a coach reply, or a frame. */
  #stored(message) {
    if (!message || typeof message !== "object") return;
    const key = storedKey(message);
    const answers = message.sayId ?? message.frame?.reply_to;
    // Answers to a say sent from this view reach it live, in their place: not from a page.
    if (this.#shown.has(key) || (answers && this.#saidHere.has(answers))) return;
    const at = Date.parse(message.ts);
    this.#day = Number.isFinite(at) ? localDay(at) : null;
    try {
      this.#storedMessage(message, key, Number.isFinite(at) ? at : null);
    } finally {
      this.#day = null;
    }
  }

  #storedMessage(message, key, at) {
    if (message.frame && typeof message.frame === "object") {
      this.#frame(message.frame, at);
      return;
    }
    this.#shown.add(key);
    if (message.role === "user") {
      if (String(message.sayId ?? "").startsWith(UNDO_BUTTON)) return;
      this.#add(this.#userBubble(message.sayId ?? "", message.content, "answered"));
    } else if (message.role === "assistant" && message.content) {
      const bubble = this.#coachWords(message.content);
      const ending = ENDINGS[message.endReason] || (message.partial ? "This reply was cut short." : "");
      if (ending) bubble.appendChild(h("span", { className: "msg-status", text: ending }));
      this.#add(bubble);
    }
  }

  /** A reply, card or proposal, live (`at` null) or stored at `at` (ms since the epoch). */
  #frame(frame, at) {
    const key = frameKey(frame);
    if (!key || this.#shown.has(key)) return;
    this.#shown.add(key);
    switch (frame.type) {
      case "reply":
        this.#reply(frame);
        break;
      case "saved":
        this.#saved(frame, at);
        break;
      case "proposal":
        this.#proposal(frame, at);
        break;
      default:
        break;
    }
  }

  #reply(frame) {
    const proposal = this.#proposals.get(frame.reply_to);
    if (proposal) {
      // The answer to a dismiss: the card says so, whichever tab dismissed it.
      setCardState(proposal, "dismissed", "Dismissed");
      this.#proposals.delete(frame.reply_to);
    } else if (typeof frame.reply_to === "string") {
      this.#dismissed.add(frame.reply_to);
    }
    this.#add(this.#coach(frame.text));
  }

  #userBubble(id, text, state) {
    return h("div", { className: "msg user", dataset: { say: id, state } },
      h("p", { className: "msg-text", text: String(text ?? "") }),
      h("span", { className: "msg-status", text: "" }));
  }

  #conversationShown() {
    for (let node = this.#edge.nextElementSibling; node; node = node.nextElementSibling) {
      if (node !== this.#welcomePanel) return true;
    }
    return false;
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

  /** A reply in the coach's own words (a model's), drawn as the markdown subset. */
  #coachWords(text) {
    return h("div", { className: "msg coach" },
      h("div", { className: "msg-text md" }, markdown(text)));
  }

  #saved(frame, at) {
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
    // Sessions and sends take photos and videos (media.js); a live card's entry has none yet.
    const media = this.#actions.mediaPanel?.(frame.kind, item, { fresh: at === null }) ?? null;
    const children = [head, ...cardBody(frame.kind, item), media, feedback];
    const undoable = at === null || Date.now() - at < UNDO_WINDOW_MS;
    if (frame.undo && undoable) {
      const button = h("button", {
        className: "ghost-button undo-button",
        attrs: { type: "button" },
        text: "Undo",
        on: { click: () => this.#undo(card, frame.undo) },
      });
      children.push(h("footer", { className: "card-actions" }, button));
    }
    for (const child of children) if (child) card.appendChild(child);
    const proposal = this.#proposals.get(frame.reply_to);
    if (proposal) {
      // A confirmed proposal becomes the saved entry's card, in its place: one card per entry.
      this.#proposals.delete(frame.reply_to);
      proposal.replaceWith(card);
      return;
    }
    if (typeof frame.reply_to === "string") this.#confirmedBy.set(frame.reply_to, card);
    this.#add(card);
  }

  #undo(card, token) {
    const button = card.querySelector(".undo-button");
    button.disabled = true;
    button.textContent = "Undoing…";
    this.#hideFeedback(card);
    const id = this.#actions.undo(token);
    this.#saidHere.add(id);
    this.#shown.add(`say:${id}`);
    this.#undoing.set(id, card);
  }

  #undone(frame) {
    const item = frame.item || {};
    const key = String(item.id ?? "");
    const card = this.#undoing.get(frame.reply_to) || findSavedCard(this.#into ?? this.#root, item.undone, key);
    this.#undoing.delete(frame.reply_to);
    if (card) markUndone(card);
    else this.#undoneLater.push({ kind: item.undone, key }); // its card is on an older page
    this.#add(h("p", { className: "note", text: `Undid the ${titleFor(item.undone).toLowerCase()}.` }));
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

  #proposal(frame, at) {
    if (this.#confirmedBy.has(frame.id)) return; // its saved card, drawn later, stands for it
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
    if (this.#dismissed.has(frame.id)) {
      setCardState(card, "dismissed", "Dismissed");
    } else if (at !== null && Date.now() - at >= PROPOSAL_WINDOW_MS) {
      setCardState(card, "expired", "Expired");
    } else {
      this.#proposals.set(frame.id, card);
    }
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
    // The card waits for the server's answer, kept in #proposals: a saved card replaces it, a
    // dismissal marks it, a refusal reopens it with the reason (the proposal is still there).
    card.dataset.state = decision === "confirm" ? "confirming" : "dismissing";
    card.querySelector(".card-status").textContent = decision === "confirm" ? "Saving…" : "Dismissing…";
    for (const button of card.querySelectorAll(".card-actions button")) button.disabled = true;
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
    if (this.#shown.has(`stream:${frame.stream}`)) return; // already shown whole, from history
    this.#shown.add(`stream:${frame.stream}`);
    const body = h("div", { className: "msg-text md" });
    const stop = h("button", {
      className: "link-button stop-button", attrs: { type: "button" }, text: "Stop",
      on: { click: () => this.#actions.stop(frame.stream) },
    });
    const bubble = h("div", {
      className: "msg coach streaming",
      attrs: { "aria-busy": "true" },
      dataset: { stream: frame.stream },
    }, body, stop);
    this.#streams.set(frame.stream, { bubble, body, raw: "", next: 1, early: new Map() });
    this.#add(bubble);
  }

  #streamDelta(frame) {
    const state = this.#streams.get(frame.stream);
    if (!state) {
      this.#catchStream(frame.stream);
      return;
    }
    if (typeof frame.seq !== "number" || frame.seq < state.next) return;
    state.early.set(frame.seq, String(frame.text ?? ""));
    // Deltas are appended strictly in seq order; an early one waits for the gap to fill.
    const before = state.raw;
    while (state.early.has(state.next)) {
      state.raw += state.early.get(state.next);
      state.early.delete(state.next);
      state.next += 1;
    }
    if (state.raw !== before) drawWords(state);
    this.#stickToBottom();
  }

  #streamEnd(frame) {
    const state = this.#streams.get(frame.stream);
    if (!state) {
      this.#catchStream(frame.stream);
      return;
    }
    for (const seq of Array.from(state.early.keys()).sort((a, b) => a - b)) {
      state.raw += state.early.get(seq);
    }
    drawWords(state);
    this.#streams.delete(frame.stream);
    state.bubble.classList.remove("streaming");
    state.bubble.removeAttribute("aria-busy");
    state.bubble.querySelector(".stop-button")?.remove();
    if (ENDINGS[frame.reason]) {
      state.bubble.appendChild(h("span", { className: "msg-status", text: ENDINGS[frame.reason] }));
    }
  }

  /**
   * A reply that began before this view did (a reload, another device): ask for it from its
   * start, once; the server then follows it live to its end. Not for one shown from history.
   */
  #catchStream(stream) {
    if (typeof stream !== "string" || this.#shown.has(`stream:${stream}`) || this.#resuming.has(stream)) return;
    this.#resuming.add(stream);
    this.#actions.resume(stream);
  }

  #showWelcome() {
    this.#welcomePanel = this.#welcome();
    this.#root.appendChild(this.#welcomePanel);
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

  /** Add `node` at the end of the conversation (or of the page being drawn), under its day. */
  #add(node, force = false) {
    const day = this.#day ?? localDay(Date.now());
    if (this.#into) {
      if (day !== this.#pageDay) this.#into.appendChild(dayDivider(day));
      this.#pageDay = day;
      this.#into.appendChild(node);
      return;
    }
    const nearBottom = this.#root.scrollHeight - this.#root.scrollTop - this.#root.clientHeight < 120;
    this.#welcomePanel?.remove();
    this.#welcomePanel = null;
    if (day !== this.#bottomDay) this.#root.appendChild(dayDivider(day));
    this.#bottomDay = day;
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

/** The local calendar day of an instant (ms since the epoch), as YYYY-MM-DD. */
function localDay(ms) {
  const date = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The line that starts a day of the conversation: "Today", "Yesterday", "Wed, Nov 18". */
function dayDivider(day) {
  return h("p", { className: "day-divider", dataset: { day } },
    h("time", { attrs: { datetime: day }, text: formatDate(day) }));
}

/** What identifies a reply, card or proposal, whether it arrived live or from a page. */
function frameKey(frame) {
  switch (frame && frame.type) {
    case "saved":
      return `saved:${frame.reply_to}:${frame.kind}:${frame.undo ?? ""}`;
    case "proposal":
      return `proposal:${frame.id}`;
    case "reply":
      return `reply:${frame.reply_to}:${frame.text}`;
    default:
      return null;
  }
}

/** Draw a streaming reply's text so far, whole, as the markdown subset. */
function drawWords(state) {
  clear(state.body);
  append(state.body, markdown(state.raw));
}

/** The key of a stored message: its frame's, its say's, or its stream's. */
function storedKey(message) {
  if (message.frame && typeof message.frame === "object") return frameKey(message.frame);
  if (message.role === "user" && message.sayId) return `say:${message.sayId}`;
  if (message.role === "assistant" && message.streamId) return `stream:${message.streamId}`;
  return `message:${message.id}`;
}

/** The newest card in `root` still saved for this entry (meal and water: the day's). */
function findSavedCard(root, kind, key) {
  const cards = root.querySelectorAll('article.card.saved[data-state="saved"]');
  for (let i = cards.length - 1; i >= 0; i -= 1) {
    if (cards[i].dataset.kind === kind && cards[i].dataset.key === key) return cards[i];
  }
  return null;
}

function markUndone(card) {
  setCardState(card, "undone", "Undone");
  card.setAttribute("aria-label", `${titleFor(card.dataset.kind)} undone`);
}

/** A card's outcome: its state, the words in its status, and no more buttons. */
function setCardState(card, state, words) {
  card.dataset.state = state;
  card.querySelector(".card-status").textContent = words;
  card.querySelector(".card-actions")?.remove();
}
