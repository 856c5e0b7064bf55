// The "Import" dialog: a logbook file from elsewhere (Mountain Project, 8a.nu / Vertical-Life,
// theCrag, KAYA, or this app's own JSON export) into the climber's journal.
//
// The file goes up as a form (`POST /users/import`, with the upload's own progress); the server
// answers at once with a job, which the dialog polls (`GET /users/import/{id}`) until it is
// `done` (the report: rows read, imported, already there, refused by line with the reason) or
// `failed` (why; nothing was kept). The rules are the server's: this only shows what it says.

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";

const IMPORT = "/users/import";
const POLL_MS = 1000; // one REST call a second, well inside every tier's rate
const LISTED = 20; // refused rows shown one by one; the rest are counted

function count(n, noun) {
  return `${n.toLocaleString()} ${noun}${n === 1 ? "" : "s"}`;
}

export class ImportPanel {
  #session;
  #dialog = $("#import-dialog");
  #busy = false;

  constructor(session) {
    this.#session = session;
    $("#open-import").addEventListener("click", () => this.#open());
    $("#import-close").addEventListener("click", () => this.#dialog.close());
    $("#import-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#start();
    });
  }

  offer() {
    $("#open-import").hidden = false;
  }

  withdraw() {
    $("#open-import").hidden = true;
    if (this.#dialog.open) this.#dialog.close();
  }

  #open() {
    if (!this.#busy) {
      $("#import-form").reset();
      this.#progress(null);
      this.#report(null);
      this.#error("");
    }
    this.#dialog.showModal();
  }

  async #start() {
    const file = $("#import-file").files[0];
    if (!file || this.#busy) return;
    this.#busy = true;
    $("#import-submit").disabled = true;
    this.#report(null);
    this.#error("");
    try {
      const job = await this.#upload(file, $("#import-format").value);
      this.#follow(await this.#poll(job.id));
    } catch (error) {
      this.#progress(null);
      this.#error(error instanceof ApiError ? error.message : String(error.message || error));
    } finally {
      this.#busy = false;
      $("#import-submit").disabled = false;
    }
  }

  /** Send the form with the upload's progress; the job the server answers (202). */
  async #upload(file, format) {
    const token = this.#session.accessToken || (await this.#session.refresh());
    if (!token) throw new ApiError(401, "unauthorized", "Your session ended. Please sign in again.");
    const form = new FormData();
    if (format) form.append("format", format);
    form.append("file", file, file.name || "logbook");
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", IMPORT);
      request.setRequestHeader("Authorization", `Bearer ${token}`);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) this.#progress(event.loaded / event.total / 2, "Sending the file…");
      });
      request.addEventListener("load", () => {
        let body = null;
        try {
          body = JSON.parse(request.responseText);
        } catch {
          body = null;
        }
        if (request.status === 202 && body) resolve(body);
        else if (request.status === 413) reject(new Error("That file is larger than an import allows."));
        else reject(new ApiError(request.status, "refused", (body && body.error && body.error.message) || "The import was refused."));
      });
      request.addEventListener("error", () => reject(new ApiError(0, "network", "Can't reach the server. Check your connection and try again.")));
      request.send(form);
    });
  }

  /** Poll the job until it is no longer running; the job as it ended. */
  async #poll(id) {
    for (;;) {
      const job = await this.#session.request(`${IMPORT}/${encodeURIComponent(id)}`);
      if (job.state !== "running") return job;
      const share = job.total ? job.processed / job.total : 0;
      this.#progress(0.5 + share / 2, job.total ? `Importing… ${count(job.processed, "record")} of ${job.total.toLocaleString()}` : "Reading the file…");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  #follow(job) {
    this.#progress(null);
    if (job.state === "done") this.#report(job.report);
    else this.#error(job.message || "The import failed; nothing of it was kept.");
  }

  #progress(share, text = "") {
    const bar = $("#import-progress");
    bar.hidden = share === null;
    if (share !== null) bar.value = Math.round(share * 100);
    $("#import-status").textContent = text;
    $("#import-status").hidden = !text;
  }

  #report(report) {
    const box = $("#import-report");
    box.replaceChildren();
    box.hidden = !report;
    if (!report) return;
    const summary = document.createElement("p");
    summary.textContent =
      `Imported ${report.imported.toLocaleString()} of ${count(report.rowsRead, "row")}: ` +
      `${count(report.sessions, "session")}, ${count(report.sends, "send")}` +
      (report.otherRecords ? `, ${count(report.otherRecords, "other record")}` : "") +
      `. ${report.duplicates.toLocaleString()} already there, ${report.refused.toLocaleString()} refused.`;
    box.append(summary);
    if (report.errors && report.errors.length) {
      const list = document.createElement("ul");
      for (const error of report.errors.slice(0, LISTED)) {
        const item = document.createElement("li");
        // The reason is the server's words about the climber's own file: shown as text only.
        item.textContent = `${error.line !== undefined && error.line !== null ? `Line ${error.line}` : error.item}: ${error.reason}`;
        list.append(item);
      }
      box.append(list);
      if (report.refused > LISTED) {
        const more = document.createElement("p");
        more.textContent = `… and ${count(report.refused - LISTED, "more refused row")}.`;
        box.append(more);
      }
    }
  }

  #error(message) {
    $("#import-error").textContent = message;
    $("#import-error").hidden = !message;
  }
}
