// V7 Coach chat UI: wires the session, the socket, the conversation (and its history) and the
// composer.

import { $ } from "./dom.js";
import { Session } from "./auth.js";
import { AuthView } from "./authview.js";
import { Hints, loadCommands } from "./commands.js";
import { Connection } from "./connection.js";
import { EmailPrefsPanel } from "./emailprefs.js";
import { ImportPanel } from "./imports.js";
import { HistoryLoader } from "./history.js";
import { mediaPanel } from "./media.js";
import { ChatView, UNDO_BUTTON } from "./messages.js";
import { NutritionView } from "./nutrition.js";
import { drawProviders, finishOAuth, showOAuthError } from "./oauth.js";
import { changesNutrition } from "./nutritionmodel.js";
import { PlanView } from "./plan.js";
import { ProgressView } from "./progress.js";
import { StatusBar } from "./status.js";
import { TokensPanel } from "./tokens.js";

const session = new Session();
const connection = new Connection(session);
const status = new StatusBar();
// The badge shows what the latest frame of the signed-in climber says: a `ready` makes the
// badge theirs (its quota, or none); later frames update it only after such a `ready`.
let quotaOwner = null;
const input = $("#say");
const hints = new Hints(input, $("#hints"), $("#hint-list"), $("#hint-detail"));

const chat = new ChatView($("#messages"), {
  undo: (token) => connection.say(`/undo ${token}`, UNDO_BUTTON),
  confirm: (proposal) => connection.send({ type: "confirm", proposal }),
  dismiss: (proposal) => connection.send({ type: "dismiss", proposal }),
  stop: (stream) => connection.send({ type: "stop", stream }),
  resume: (stream) => connection.send({ type: "resume", stream, after: 0 }),
  useExample: (text) => fillComposer(text),
  refused: (text) => restoreComposer(text),
  mediaPanel: (kind, item, options) => mediaPanel(session, kind, item, options),
});
const history = new HistoryLoader(session, chat);

const authView = new AuthView(session, () => enterChat());
const emailPrefs = new EmailPrefsPanel(session);
const apiTokens = new TokensPanel(session);
const imports = new ImportPanel(session);
// The screens that replace the conversation while open, each with its header button.
const screens = {
  progress: { view: new ProgressView($("#progress-view"), session, () => showScreen(null)), button: $("#open-progress") },
  plan: { view: new PlanView($("#plan-view"), session, () => showScreen(null)), button: $("#open-plan") },
  nutrition: {
    view: new NutritionView($("#nutrition-view"), session, () => showScreen(null), (text) => {
      showScreen(null);
      fillComposer(text);
    }),
    button: $("#open-nutrition"),
  },
};

function enterChat() {
  status.clearQuota(); // nothing until this climber's own `ready`
  quotaOwner = null;
  authView.hide();
  $("#chat-view").hidden = false;
  $("#sign-out").hidden = false;
  for (const { button } of Object.values(screens)) button.hidden = false;
  emailPrefs.offer();
  apiTokens.offer();
  imports.offer();
  chat.reset();
  history.open();
  connection.start();
  input.focus();
}

function leaveChat(notice) {
  connection.stop();
  history.close();
  showScreen(null);
  $("#chat-view").hidden = true;
  $("#sign-out").hidden = true;
  for (const { button } of Object.values(screens)) button.hidden = true;
  emailPrefs.withdraw();
  apiTokens.withdraw();
  imports.withdraw();
  quotaOwner = null;
  status.clearQuota();
  authView.show(notice);
}

connection.addEventListener("state", (event) => {
  status.showConnection(event.detail);
  if (event.detail.state === "online") {
    chat.markSending();
    for (const open of chat.openStreams()) connection.send({ type: "resume", ...open });
    history.online();
  }
});
connection.addEventListener("frame", (event) => {
  const frame = event.detail;
  if (frame.type === "ready") {
    quotaOwner = frame.user ? frame.user.id : null;
    status.startQuota(frame.user, frame.quota);
  } else if (frame.quota && quotaOwner !== null) {
    status.showQuota(frame.quota);
  }
  if (frame.type !== "ready" && frame.type !== "pong") chat.handle(frame);
  // A meal, water or profile saved (in this tab or another) changes the open Nutrition view.
  if (changesNutrition(frame)) screens.nutrition.view.refresh();
});
connection.addEventListener("unauthorized", () => leaveChat("Your session ended. Please sign in again."));
session.addEventListener("signedout", () => {
  if (!$("#sign-out").hidden) leaveChat("Your session ended. Please sign in again.");
});

// Progress, the plan or nutrition replaces the conversation while open (one at a time); the
// socket and the chat keep running beneath. `name` null: back to the chat.
function showScreen(name) {
  const wasOpen = Object.values(screens).some(({ view }) => view.isOpen);
  for (const [key, { view, button }] of Object.entries(screens)) {
    button.setAttribute("aria-expanded", key === name ? "true" : "false");
    if (key !== name && view.isOpen) view.close();
  }
  $("#chat-view").hidden = name !== null;
  if (name !== null) {
    if (!screens[name].view.isOpen) screens[name].view.open();
  } else if (wasOpen) {
    input.focus();
  }
}

for (const [name, { view, button }] of Object.entries(screens)) {
  button.addEventListener("click", () => showScreen(view.isOpen ? null : name));
}
$("#retry-now").addEventListener("click", () => connection.retryNow());
$("#sign-out").addEventListener("click", () => {
  leaveChat("");
  session.signOut();
});

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  sendComposer();
});

input.addEventListener("keydown", (event) => {
  if (event.isComposing) return;
  if (hints.handleKey(event)) {
    event.preventDefault();
    return;
  }
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    sendComposer();
  }
});
input.addEventListener("input", () => fitHeight());

function sendComposer() {
  const text = input.value.trim();
  if (!text) return;
  const queued = connection.state !== "online";
  const id = connection.say(text);
  chat.addUser(id, text, queued);
  input.value = "";
  fitHeight();
  hints.close();
  input.focus();
}

// An example or a command to edit goes in the composer, with its hints (as if typed).
function fillComposer(text) {
  input.value = text;
  input.focus();
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

// A refused say comes back to the composer to fix and send again, unless the climber has
// started typing something else (their new text wins; the old one stays in its bubble). No
// input event: the hint popup would cover the error that says what to fix.
function restoreComposer(text) {
  if (input.value.trim()) return;
  input.value = text;
  fitHeight();
  input.focus();
  input.setSelectionRange(text.length, text.length);
}

function fitHeight() {
  // Grow with the text up to a few lines (set through the CSSOM, which the CSP allows).
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

status.showConnection({ state: "stopped", retryAt: 0 });
loadCommands();
drawProviders();
finishOAuth(session).then(async ({ signedIn, error }) => {
  if (signedIn) return enterChat();
  if (error) {
    authView.show();
    return showOAuthError(error);
  }
  return (await session.restore()) ? enterChat() : authView.show();
});
