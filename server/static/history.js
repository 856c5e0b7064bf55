// The conversation so far, from GET /chat/history: the latest page when the chat opens (sign-in,
// reload, another device), older pages as the climber scrolls to the top, and what was missed
// while the socket was down once it is back. The ChatView renders the pages and makes sure
// nothing shows twice.
//
// The latest page is read once the socket is online, so nothing falls between the two: the
// server stores a frame before it sends it, so whatever this socket was not sent live is
// already in the page. Should the socket take long, the page is read anyway and the gap is
// filled by the catch-up that follows once it is online.

const PAGE_SIZE = 30;
const SOCKET_GRACE_MS = 2_500;

export class HistoryLoader {
  #session;
  #view;
  #generation = 0;
  #cursor = null;
  #loaded = false;
  #busy = false;
  #failed = false; // scrolling does not retry a failed page: the climber's "Try again" does
  #graceTimer = 0;

  /** `session`: auth.js Session; `view`: the ChatView the pages go to. */
  constructor(session, view) {
    this.#session = session;
    this.#view = view;
    view.onNearTop = () => {
      if (!this.#failed) this.older();
    };
    view.onRetryHistory = () => {
      this.#failed = false;
      if (this.#loaded) this.older();
      else this.#latest();
    };
  }

  /** A fresh conversation view (after sign-in): wait for the socket, then read the latest page. */
  open() {
    this.close();
    this.#view.showHistoryState("first");
    this.#graceTimer = setTimeout(() => this.#latest(), SOCKET_GRACE_MS);
  }

  /** Forget everything (sign-out); a page still on its way is dropped. */
  close() {
    this.#generation += 1;
    clearTimeout(this.#graceTimer);
    this.#cursor = null;
    this.#loaded = false;
    this.#busy = false;
    this.#failed = false;
  }

  /** The socket is online (again): read the latest page, or catch up on what was missed. */
  online() {
    clearTimeout(this.#graceTimer);
    if (this.#loaded) this.#catchUp();
    else this.#latest();
  }

  /** The page before the oldest shown, if there is one and none is on its way. */
  older() {
    if (!this.#loaded || this.#busy || this.#cursor === null) return;
    this.#load({ cursor: this.#cursor }, "older");
  }

  #latest() {
    clearTimeout(this.#graceTimer);
    if (this.#loaded || this.#busy) return;
    this.#load({}, "first");
  }

  async #catchUp() {
    const generation = this.#generation;
    try {
      const page = await this.#get({});
      if (generation === this.#generation) this.#view.catchUp(page.items);
    } catch {
      // Missing a catch-up is not worth an alarm: the next reload shows everything.
    }
  }

  async #load(params, which) {
    const generation = this.#generation;
    this.#busy = true;
    this.#view.showHistoryState(which);
    let page;
    try {
      page = await this.#get(params);
    } catch {
      if (generation !== this.#generation) return;
      this.#busy = false;
      this.#failed = true;
      this.#view.showHistoryState("failed");
      return;
    }
    if (generation !== this.#generation) return;
    this.#busy = false;
    this.#cursor = page.cursor;
    this.#loaded = true;
    this.#view.showPage(page.items, { first: which === "first", more: page.cursor !== null });
    // A page that does not fill the screen leaves the top in sight: keep going.
    if (this.#view.nearTop()) this.older();
  }

  async #get(params) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...params });
    const page = await this.#session.request(`/chat/history?${query}`);
    if (!page || !Array.isArray(page.items)) throw new Error("The server sent an unexpected page.");
    return page;
  }
}
