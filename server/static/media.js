// Photos and videos on saved session and send cards: "Add photo" opens the file picker (which
// offers the camera on phones), the file goes straight to the media store through the signed
// upload the server hands out (never through the API), and the card shows a thumbnail of each
// photo or video, opening full size in a new tab, each with a confirmed "Remove".
//
// The server decides what may be attached (tier, storage left, the type sniffed from the
// bytes): the checks here only save the climber a wait for an answer known in advance. Every
// refusal is shown on the card in words; the entry itself is never touched by a failed upload.
//
// Download links are signed for a few minutes: a card reads its media (GET …/media) when it
// first comes into view, again when one of its images fails to load, when it comes back into
// view with old links, and before opening an old link full size.

import { ApiError } from "./auth.js";
import { clear, h } from "./dom.js";

/** The types the server accepts (server/media/kinds.py), photo or video. */
const TYPES = {
  "image/jpeg": "image", "image/png": "image", "image/webp": "image", "image/gif": "image",
  "image/heic": "image", "image/heif": "image",
  "video/mp4": "video", "video/quicktime": "video", "video/webm": "video",
};
/** A file's type from its name, for browsers that give none (HEIC on a desktop, often). */
const BY_EXTENSION = {
  jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", gif: "image/gif",
  heic: "image/heic", heif: "image/heif", mp4: "video/mp4", m4v: "video/mp4",
  mov: "video/quicktime", webm: "video/webm",
};
const MAX_BYTES = { image: 20_000_000, video: 200_000_000 };
const ACCEPT = [...Object.keys(TYPES), ".heic", ".heif", ".mov"].join(",");
/** Where each kind of card's entry lives in the REST API. */
const BASES = { session: "/journal/entries", send: "/benchmarks/sends" };
const NOUNS = { session: "session", send: "send" };
/** Links older than this are read again before use (the server signs them for 5 minutes). */
const FRESH_MS = 3 * 60_000;
/** A failed image asks for fresh links at most this often (a broken file must not loop). */
const RETRY_MS = 30_000;

/**
 * The photos-and-videos part of a saved card for `kind`'s `item`, or null when the kind has
 * none (or the item no id). `session`: auth.js Session, for the REST calls. `fresh`: the entry
 * was saved just now, so it has nothing attached yet and nothing is read.
 */
export function mediaPanel(session, kind, item, { fresh = false } = {}) {
  if (!BASES[kind] || !item || typeof item.id !== "string" || !item.id) return null;
  return new MediaPanel(session, kind, item.id, fresh).node;
}

class MediaPanel {
  #session;
  #kind;
  #base;
  #items = [];
  #readAt = 0; // when the links shown were read (0: never)
  #failedAt = 0; // when an image last failed and asked for fresh links
  #reading = null;
  #busy = false;
  #thumbs;
  #add;
  #picker;
  #status;
  #error;
  #confirm;
  node;

  constructor(session, kind, entryId, fresh) {
    this.#session = session;
    this.#kind = kind;
    this.#base = `${BASES[kind]}/${encodeURIComponent(entryId)}/media`;
    const noun = NOUNS[kind];
    this.#thumbs = h("ul", { className: "media-thumbs", attrs: { "aria-label": `Photos and videos of this ${noun}` }, hidden: true });
    // Hidden (not merely off-screen): the button opens it, and nothing of it takes up room.
    this.#picker = h("input", {
      className: "media-picker",
      hidden: true,
      attrs: { type: "file", accept: ACCEPT },
      on: { change: () => this.#picked() },
    });
    this.#add = h("button", {
      className: "ghost-button media-add",
      attrs: { type: "button", "aria-label": `Add photo or video to this ${noun}` },
      on: { click: () => this.#picker.click() },
    }, h("span", { className: "media-add-icon", attrs: { "aria-hidden": "true" }, text: "+" }), "Add photo");
    this.#status = h("span", { className: "media-status", attrs: { role: "status" } });
    this.#error = h("p", { className: "media-error", attrs: { role: "alert" }, hidden: true });
    this.#confirm = h("div", { className: "media-confirm", hidden: true });
    this.node = h("section", { className: "card-media", attrs: { "aria-label": "Photos and videos" } },
      this.#thumbs, this.#confirm,
      h("div", { className: "media-bar" }, this.#add, this.#status, this.#picker),
      this.#error);
    if (fresh) this.#readAt = Date.now();
    this.#watch();
  }

  /** Read the entry's media when the card comes into view (and again with stale links). */
  #watch() {
    if (typeof IntersectionObserver !== "function") {
      queueMicrotask(() => this.#read());
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      if (this.#leaving()) return;
      if (Date.now() - this.#readAt > FRESH_MS) this.#read();
    });
    observer.observe(this.node);
  }

  /** Whether the card's entry is undone or being undone: it shows no media and asks for none. */
  #leaving() {
    const card = this.node.closest(".card");
    return card?.dataset.state === "undone" || Boolean(card?.querySelector(".undo-button:disabled"));
  }

  /** GET …/media: the entry's photos and videos with fresh links. One read at a time. */
  #read() {
    if (!this.#reading) {
      this.#reading = this.#session.request(this.#base).then((answer) => {
        this.#readAt = Date.now();
        this.#show(Array.isArray(answer?.items) ? answer.items : []);
      }, (error) => {
        // The entry is gone (a chat /delete): nothing can be attached to it any more.
        if (error instanceof ApiError && error.status === 404) this.node.hidden = true;
      }).finally(() => {
        this.#reading = null;
      });
    }
    return this.#reading;
  }

  #show(items) {
    this.#items = items;
    this.#hideConfirm();
    clear(this.#thumbs);
    items.forEach((item, index) => this.#thumbs.appendChild(this.#thumb(item, index)));
    this.#thumbs.hidden = items.length === 0;
  }

  #thumb(item, index) {
    const video = item.type === "video";
    const name = `${video ? "Video" : "Photo"} ${index + 1}`;
    const preview = video
      ? h("video", { className: "media-preview", attrs: { src: item.url, preload: "metadata", muted: true, playsinline: true, tabindex: "-1" } })
      : h("img", { className: "media-preview", attrs: { src: item.url, alt: `${name} of this ${NOUNS[this.#kind]}`, loading: "lazy", decoding: "async" } });
    preview.addEventListener("error", () => this.#broken());
    const open = h("a", {
      className: `media-open${video ? " is-video" : ""}`,
      attrs: { href: item.url, target: "_blank", rel: "noopener noreferrer", "aria-label": `Open ${name.toLowerCase()} full size` },
      on: { click: (event) => this.#open(event, item.id) },
    }, preview);
    const remove = h("button", {
      className: "media-remove",
      attrs: { type: "button", "aria-label": `Remove ${name.toLowerCase()}`, title: "Remove" },
      on: { click: () => this.#askRemove(item, name) },
    }, h("span", { attrs: { "aria-hidden": "true" }, text: "×" }));
    return h("li", { className: "media-thumb", dataset: { media: item.id } }, open, remove);
  }

  /** An image or video that will not load: its link has likely expired; read fresh ones. */
  #broken() {
    if (Date.now() - this.#failedAt < RETRY_MS) return;
    this.#failedAt = Date.now();
    this.#read();
  }

  /** Open full size; a link too old to trust is read again first (still in the click's grace). */
  async #open(event, id) {
    if (Date.now() - this.#readAt <= FRESH_MS) return;
    event.preventDefault();
    await this.#read();
    const item = this.#items.find((each) => each.id === id);
    if (item) window.open(item.url, "_blank", "noopener,noreferrer");
  }

  #askRemove(item, name) {
    clear(this.#confirm);
    const keep = h("button", {
      className: "ghost-button", attrs: { type: "button" }, text: "Keep",
      on: { click: () => this.#hideConfirm() },
    });
    const yes = h("button", {
      className: "danger-button", attrs: { type: "button" }, text: "Remove",
      on: { click: () => this.#remove(item, name) },
    });
    const what = name.startsWith("Video") ? "video" : "photo";
    this.#confirm.append(h("span", { text: `Remove this ${what}? This can't be undone.` }),
      h("span", { className: "media-confirm-buttons" }, yes, keep));
    this.#confirm.hidden = false;
    yes.focus();
  }

  #hideConfirm() {
    this.#confirm.hidden = true;
    clear(this.#confirm);
  }

  async #remove(item, name) {
    for (const button of this.#confirm.querySelectorAll("button")) button.disabled = true;
    this.#say("", "");
    try {
      await this.#session.request(`${this.#base}/${encodeURIComponent(item.id)}`, "DELETE");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        this.#hideConfirm();
        this.#say("", `Couldn't remove the ${name.toLowerCase()}: ${messageOf(error)}`);
        return;
      }
    }
    this.#show(this.#items.filter((each) => each.id !== item.id));
    this.#say(`${name} removed.`, "");
    this.#add.focus();
  }

  async #picked() {
    const file = this.#picker.files?.[0];
    this.#picker.value = ""; // picking the same file again must fire `change` again
    if (!file || this.#busy) return;
    this.#say("", "");
    const contentType = typeOf(file);
    const refused = checkFile(file, contentType);
    if (refused) {
      this.#say("", refused);
      return;
    }
    this.#busy = true;
    this.#add.disabled = true;
    this.#say("Uploading…", "");
    try {
      const signed = await this.#session.request(this.#base, "POST", { contentType, size: file.size });
      await sendForm(signed.upload, file, contentType, (percent) => this.#say(`Uploading… ${percent}%`, ""));
      this.#say("Checking…", "");
      const item = await this.#session.request(`${this.#base}/${encodeURIComponent(signed.mediaId)}/complete`, "POST");
      this.#readAt = Date.now();
      // A read that crossed the completion may list it already: one thumbnail each.
      this.#show([...this.#items.filter((each) => each.id !== item.id), item]);
      this.#say(`${TYPES[contentType] === "video" ? "Video" : "Photo"} added.`, "");
    } catch (error) {
      this.#say("", messageOf(error));
    } finally {
      this.#busy = false;
      this.#add.disabled = false;
    }
  }

  /** The progress line and the refusal (each hidden when empty). */
  #say(status, error) {
    this.#status.textContent = status;
    this.#error.textContent = error;
    this.#error.hidden = !error;
  }
}

/** The file's content type: the browser's, else from its name's extension. */
function typeOf(file) {
  const declared = String(file.type || "").toLowerCase();
  if (declared) return declared;
  const extension = /\.([a-z0-9]+)$/i.exec(file.name || "")?.[1]?.toLowerCase() ?? "";
  return BY_EXTENSION[extension] || "";
}

/** Why the file cannot be attached, known before asking the server; "" when it may be. */
function checkFile(file, contentType) {
  const media = TYPES[contentType];
  if (!media) {
    return "That file can't be attached: add a photo (JPEG, PNG, WebP, GIF or HEIC) or a "
      + "video (MP4, MOV or WebM).";
  }
  if (file.size === 0) return "That file is empty.";
  if (file.size > MAX_BYTES[media]) {
    return media === "video"
      ? `Videos can be up to ${megabytes(MAX_BYTES.video)} (about a minute); this one is ${megabytes(file.size)}.`
      : `Photos can be up to ${megabytes(MAX_BYTES.image)}; this one is ${megabytes(file.size)}.`;
  }
  return "";
}

/**
 * POST the signed form: every field the server gave, then the file (S3's presigned-POST
 * shape; the local store's URL is the app's own). `progress(percent)` as bytes go up.
 * Rejects with an Error whose message is for the climber.
 */
function sendForm(upload, file, contentType, progress) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
  // The part's type must be the one signed, whatever the browser guessed from the name.
  form.append("file", new Blob([file], { type: contentType }), file.name || "upload");
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", upload.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) {
        progress(Math.min(99, Math.floor((event.loaded / event.total) * 100)));
      }
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else if (request.status === 413) reject(new Error("That file is larger than the upload allows."));
      else if (request.status === 403) reject(new Error("The upload link was refused or has expired; try again."));
      else reject(new Error(`The upload failed (the store answered ${request.status}); try again.`));
    });
    const failed = () => reject(new Error("The upload failed: check your connection and try again."));
    request.addEventListener("error", failed);
    request.addEventListener("abort", failed);
    request.send(form);
  });
}

/** A refusal in words: the server's message, and for full storage what is used of what. */
function messageOf(error) {
  if (error instanceof ApiError && error.code === "quota_exceeded") {
    const used = Number(error.details?.used_bytes);
    const limit = Number(error.details?.limit_bytes);
    if (Number.isFinite(used) && Number.isFinite(limit) && limit > 0) {
      return `Your ${gigabytes(limit)} are full (${gigabytes(used)} used). Remove a photo or video to make room.`;
    }
  }
  return error instanceof Error && error.message ? error.message : "Something went wrong; try again.";
}

/** 4.9 GB, 5 GB (GB = 10^9 bytes, as the tiers count). */
function gigabytes(bytes) {
  const value = Math.round((bytes / 1e9) * 10) / 10;
  return `${value} GB`;
}

function megabytes(bytes) {
  const value = Math.round((bytes / 1e6) * 10) / 10;
  return `${value} MB`;
}
