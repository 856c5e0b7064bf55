// The header's connection state (dot + words, with a live countdown to the next retry) and
// the quota badge. The badge has one source: the `quota` object of the latest frame of the
// signed-in climber (ready, saved, stream.end, a quota_exceeded error). It starts empty at each
// sign-in (`startQuota` with that climber's `ready`) and is emptied at sign-out (`clearQuota`),
// so one climber's quota is never shown to another.

import { $ } from "./dom.js";

const WORDS = {
  connecting: "Connecting…",
  online: "Online",
  offline: "Offline",
  paused: "Paused: too many tabs",
  stopped: "Signed out",
};

export class StatusBar {
  #ticker = 0;
  #zone = undefined; // the climber's IANA zone for `resets_at` (undefined: the browser's)

  showConnection({ state, retryAt }) {
    clearInterval(this.#ticker);
    const box = $("#conn");
    box.dataset.state = state;
    $("#retry-now").hidden = state !== "offline" && state !== "paused";
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

  /** A `ready` frame: the badge is now this climber's (`user.timezone`, when the server sends
   * one, formats `resets_at`); it shows their quota, or nothing when the frame has none. */
  startQuota(user, quota) {
    this.clearQuota();
    this.#zone = knownZone(user && user.timezone);
    this.showQuota(quota);
  }

  /** Show the quota from a frame of the climber whose `ready` came last; no-op when it has none. */
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
      const when = allowance.resets_at ? formatInstant(allowance.resets_at, this.#zone) : "";
      const resets = when ? `, resets ${when}` : "";
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

  /** Sign-out: empty and hide the badge; nothing of this climber's quota stays on the page. */
  clearQuota() {
    const badge = $("#quota");
    badge.hidden = true;
    badge.textContent = "";
    badge.removeAttribute("title");
    badge.removeAttribute("aria-label");
    delete badge.dataset.empty;
    this.#zone = undefined;
  }
}

/** `zone` if this browser knows it as an IANA time zone, else undefined (the browser's own). */
function knownZone(zone) {
  if (typeof zone !== "string" || !zone) return undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** An ISO instant as the climber reads it: weekday, day, month, time and zone, in `zone`. */
function formatInstant(iso, zone) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short", timeZone: zone,
  }).format(when);
}
