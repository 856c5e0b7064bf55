// The header's connection state (dot + words, with a live countdown to the next retry) and
// the quota badge, which stays hidden until a frame carries a `quota` object.

import { $ } from "./dom.js";

const WORDS = { connecting: "Connecting…", online: "Online", offline: "Offline", stopped: "Signed out" };

export class StatusBar {
  #ticker = 0;

  showConnection({ state, retryAt }) {
    clearInterval(this.#ticker);
    const box = $("#conn");
    box.dataset.state = state;
    $("#retry-now").hidden = state !== "offline";
    const render = () => {
      let words = WORDS[state] || state;
      if (state === "offline" && retryAt) {
        const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        words = seconds > 0 ? `Offline · retry in ${seconds}s` : "Offline · retrying…";
      }
      $("#conn-text").textContent = words;
    };
    render();
    if (state === "offline") this.#ticker = setInterval(render, 1000);
  }

  /** Show the quota from a ready / saved / stream.end frame; no-op when it has none. */
  showQuota(quota) {
    if (!quota || typeof quota !== "object") return;
    const badge = $("#quota");
    const parts = [];
    const titles = [];
    let empty = false;
    const kinds = [["ai_messages", "AI msg", "AI msgs"], ["journal_entries", "entry", "entries"]];
    for (const [key, one, many] of kinds) {
      const allowance = quota[key];
      if (!allowance || typeof allowance !== "object") continue;
      if (allowance.limit === null || allowance.limit === undefined) {
        titles.push(`${many}: unlimited`);
        continue;
      }
      const remaining = Number(allowance.remaining ?? Math.max(0, allowance.limit - allowance.used));
      const resets = allowance.resets_at
        ? `, resets ${new Date(allowance.resets_at).toLocaleDateString()}` : "";
      parts.push(`${remaining} ${remaining === 1 ? one : many}`);
      titles.push(`${many}: ${remaining} of ${allowance.limit} left${resets}`);
      empty = empty || remaining <= 0;
    }
    if (titles.length === 0) return;
    badge.textContent = parts.length ? `${parts.join(" · ")} left` : "Unlimited";
    badge.title = titles.join("\n");
    badge.setAttribute("aria-label", `Quota: ${titles.join("; ")}`);
    if (empty) badge.dataset.empty = "true";
    else delete badge.dataset.empty;
    badge.hidden = false;
  }

  hideQuota() {
    $("#quota").hidden = true;
  }
}
