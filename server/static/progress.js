// The Progress view: the pyramid, max grade by week and weekly load for 30 days, 90 days or a
// year, fetched from /analytics/* with the session's access token and drawn by charts.js.

import { clear, h } from "./dom.js";
import { formatNumber, loadChart, maxGradeChart, pyramidChart, weeksBetween } from "./charts.js";

const PERIODS = [["30d", "30 days"], ["90d", "90 days"], ["1y", "1 year"]];
const EMPTY_PYRAMID = "Log a few sessions with /log to see your pyramid.";
const EMPTY_GRADES = "No sends in this period yet. Log sends with /log (e.g. sent V4 V5) to see your max grade over time.";
const EMPTY_LOAD = "No rated sessions in this period. Add an RPE when you /log a session (e.g. rpe 7) to see your weekly load.";

/** "Boulder · indoor"; a setting of "" is sends logged without indoor or outdoor (the API's
 * `type`, left out when unknown). */
function kindLabel(discipline, setting) {
  const d = discipline === "route" ? "Routes" : discipline === "boulder" ? "Boulder" : discipline;
  return `${d} · ${setting || "setting not given"}`;
}

/** "discipline/setting" of a pyramid or grade series; the API leaves an unknown `type` out. */
function kindKey(item) {
  return `${item.discipline}/${item.type || ""}`;
}

class LoadFailed extends Error {}

/** The server refused a view the climber's tier does not include (403 tier_required). */
class TierRefused extends LoadFailed {}

export class ProgressView {
  #root;
  #session;
  #period = "30d";
  #shown = "30d"; // the period drawn before the last switch: back to it if one is refused
  #kind = null; // "discipline/setting" picked by the climber
  #data = null;
  #generation = 0;
  #width = 0;
  #els;

  /** `root`: the (hidden) container; `session`: auth.js Session; `onClose`: back to the chat. */
  constructor(root, session, onClose) {
    this.#root = root;
    this.#session = session;
    const periodButtons = PERIODS.map(([value, text]) => h("button", {
      className: "segment", text, dataset: { period: value },
      attrs: { type: "button", "aria-pressed": value === this.#period ? "true" : "false" },
      on: { click: () => this.#setPeriod(value) },
    }));
    this.#els = {
      periods: periodButtons,
      kinds: h("div", { className: "segments kinds", hidden: true, attrs: { role: "group", "aria-label": "Discipline and setting" } }),
      status: h("p", { className: "progress-status", attrs: { role: "status", "aria-live": "polite" } }),
      // What the next tier adds, from the summary's `withheld` (the server decides; no list of
      // tiers here): shown only with the basic view.
      upgrade: h("p", { className: "progress-upgrade", hidden: true }),
      pyramid: h("div", { className: "chart-body" }),
      grades: h("div", { className: "chart-body" }),
      load: h("div", { className: "chart-body" }),
    };
    const card = (id, title, lede, body) => h("section", { className: "chart-card", attrs: { "aria-labelledby": id } },
      h("h3", { className: "chart-title", text: title, attrs: { id } }),
      h("p", { className: "chart-lede", text: lede }),
      body);
    root.append(
      h("div", { className: "progress-inner" },
        h("div", { className: "progress-head" },
          h("h2", { className: "progress-title", text: "Progress", attrs: { id: "progress-title", tabindex: "-1" } }),
          h("button", { className: "ghost-button", text: "Back to chat", attrs: { type: "button" }, on: { click: onClose } })),
        h("div", { className: "progress-controls" },
          h("div", { className: "segments", attrs: { role: "group", "aria-label": "Period" } }, periodButtons),
          this.#els.kinds),
        this.#els.status,
        this.#els.upgrade,
        card("chart-pyramid-title", "Grade pyramid",
          "Sends at your top grades. Dashed outlines: Horst's counts before a new max (2, 4, 8).", this.#els.pyramid),
        card("chart-grades-title", "Max grade by week", "The hardest grade you sent each week.", this.#els.grades),
        card("chart-load-title", "Weekly load", "Session load is RPE × minutes, in arbitrary units (AU).", this.#els.load)));
    new ResizeObserver(() => {
      const width = this.#chartWidth();
      if (width !== this.#width && this.#data) this.#draw();
    }).observe(root);
  }

  get isOpen() {
    return !this.#root.hidden;
  }

  /** Show the view and (re)load the current period: the journal may have changed since. */
  open() {
    this.#root.hidden = false;
    this.#root.querySelector("#progress-title").focus();
    this.#load();
  }

  close() {
    this.#root.hidden = true;
    this.#generation += 1; // late answers are dropped
  }

  #setPeriod(period) {
    this.#shown = this.#period;
    this.#period = period;
    for (const button of this.#els.periods) {
      button.setAttribute("aria-pressed", button.dataset.period === period ? "true" : "false");
    }
    this.#load();
  }

  async #load() {
    const generation = ++this.#generation;
    const period = this.#period;
    this.#root.setAttribute("aria-busy", "true");
    this.#els.status.textContent = "Loading…";
    try {
      const [pyramid, grades, load, summary] = await Promise.all([
        this.#get(`/analytics/progress?metric=pyramid&period=${period}`),
        this.#get(`/analytics/progress?metric=max_grade&period=${period}`),
        this.#get(`/analytics/progress?metric=weekly_load&period=${period}`),
        this.#get(`/analytics/summary?period=${period}`),
      ]);
      if (generation !== this.#generation) return;
      this.#data = { period, pyramid, grades, load, summary };
      this.#shown = period;
      this.#els.status.textContent = "";
      this.#draw();
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof TierRefused) {
        // The charts still show the period drawn before: say why the switch did not happen.
        this.#period = this.#shown;
        for (const button of this.#els.periods) {
          button.setAttribute("aria-pressed", button.dataset.period === this.#period ? "true" : "false");
        }
      }
      this.#els.status.textContent = error instanceof LoadFailed
        ? error.message : "Couldn't load your progress. Try again in a moment.";
    } finally {
      if (generation === this.#generation) this.#root.removeAttribute("aria-busy");
    }
  }

  /** GET with the access token; one refresh and retry on 401. Throws LoadFailed. */
  async #get(path) {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = this.#session.accessToken || (await this.#session.refresh());
      if (!token) throw new LoadFailed("Your session ended. Please sign in again.");
      let response;
      try {
        response = await fetch(path, {
          headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch {
        throw new LoadFailed("Can't reach the server. Check your connection and try again.");
      }
      if (response.status === 401 && attempt === 0) {
        await this.#session.refresh();
        continue;
      }
      if (response.status === 403) {
        const body = await response.json().catch(() => null);
        const error = body && body.error;
        if (error && error.code === "tier_required") throw new TierRefused(error.message);
      }
      if (!response.ok) throw new LoadFailed(`Couldn't load your progress (the server answered ${response.status}).`);
      return response.json();
    }
    throw new LoadFailed("Your session ended. Please sign in again.");
  }

  #chartWidth() {
    return Math.floor(this.#els.load.clientWidth || this.#root.clientWidth - 64);
  }

  #draw() {
    const { pyramid, grades, load, summary } = this.#data;
    const width = Math.max(240, this.#chartWidth());
    this.#width = this.#chartWidth();
    const kinds = this.#kinds(pyramid.pyramids || [], grades.maxGrade || []);
    if (!kinds.includes(this.#kind)) this.#kind = kinds[0] || null;
    this.#drawKinds(kinds);
    const [discipline, setting] = (this.#kind || "/").split("/");
    const label = kindLabel(discipline, setting);
    const match = (item) => kindKey(item) === this.#kind;

    const pyr = (pyramid.pyramids || []).find(match);
    this.#fill(this.#els.pyramid, pyr ? pyramidChart(pyr, width, label) : null, EMPTY_PYRAMID,
      pyr ? pyramidNote(pyr) : null);

    const series = (grades.maxGrade || []).find(match);
    const weeks = weeksBetween(grades.start, grades.end);
    this.#fill(this.#els.grades, series && series.points.length ? maxGradeChart(series, weeks, width, label) : null,
      EMPTY_GRADES, null);

    const withheld = summary.withheld || null;
    this.#els.upgrade.hidden = !withheld;
    this.#els.upgrade.textContent = withheld ? withheld.message : "";
    for (const button of this.#els.periods) {
      // The year is advanced: greyed out with the reason rather than a refusal on click.
      if (button.dataset.period === "1y") {
        button.disabled = Boolean(withheld);
        button.title = withheld ? withheld.message : "";
      }
    }
    const points = load.points || [];
    // The basic view has no acute:chronic comparison: no typical band, no baseline sentence.
    const jump = summary.load && !withheld ? summary.load.jump : null;
    this.#fill(this.#els.load, points.some((p) => p.value > 0) ? loadChart(points, jump, width) : null,
      EMPTY_LOAD, points.some((p) => p.value > 0) ? loadNotes(points, jump) : null);
  }

  /** "discipline/setting" of every pyramid or grade series, pyramids (by sends) first. */
  #kinds(pyramids, series) {
    const seen = [];
    const sorted = [...pyramids].sort((a, b) => b.total - a.total);
    for (const item of [...sorted, ...series]) {
      const key = kindKey(item);
      if (!seen.includes(key)) seen.push(key);
    }
    return seen;
  }

  #drawKinds(kinds) {
    const box = this.#els.kinds;
    clear(box);
    box.hidden = kinds.length < 2;
    for (const key of kinds) {
      const [discipline, setting] = key.split("/");
      box.append(h("button", {
        className: "segment", text: kindLabel(discipline, setting),
        attrs: { type: "button", "aria-pressed": key === this.#kind ? "true" : "false" },
        on: {
          click: () => {
            this.#kind = key;
            this.#draw();
            // The buttons were drawn anew: keep the keyboard where it was.
            box.querySelector('[aria-pressed="true"]').focus();
          },
        },
      }));
    }
  }

  #fill(body, chart, emptyText, notes) {
    clear(body);
    if (!chart) {
      body.append(h("p", { className: "chart-empty", text: emptyText }));
      return;
    }
    body.append(h("div", { className: "chart-frame" }, chart.svg), chart.table);
    if (notes) body.append(notes);
  }
}

function pyramidNote(pyramid) {
  const parts = [`Max ${pyramid.maxGrade}, ${pyramid.total} climbs in total`];
  if (pyramid.below) parts.push(`${pyramid.below} below the rows shown`);
  const lines = [h("p", { className: "chart-note", text: `${parts.join(", ")}.` })];
  if (pyramid.nextMaxReady) {
    lines.push(h("p", { className: "chart-note good", text: "The base is in place: you're ready to try the next grade." }));
  } else if (pyramid.missing && pyramid.missing.length) {
    lines.push(h("p", { className: "chart-note", text: `Before a new max: ${pyramid.missing.join(", ")}.` }));
  }
  return h("div", { className: "chart-notes" }, lines);
}

function loadNotes(points, jump) {
  const current = points[points.length - 1];
  const legend = h("ul", { className: "chart-legend" },
    h("li", {}, h("span", { className: "key key-bar", attrs: { "aria-hidden": "true" } }), "Week's load"),
    current.days < 7
      ? h("li", {}, h("span", { className: "key key-partial", attrs: { "aria-hidden": "true" } }), "This week so far")
      : null,
    jump && jump.chronic > 0
      ? h("li", {}, h("span", { className: "key key-band", attrs: { "aria-hidden": "true" } }), "Typical range: 0.8–1.3 × your 4-week average")
      : null);
  const lines = [];
  if (jump && jump.summary) {
    lines.push(h("p", { className: "chart-note", text: sentence(jump.summary) }));
  }
  const previous = points.length > 1 ? points[points.length - 2] : null;
  const guidance = "Guidance: grow weekly load by about 10 % at most from one week to the next.";
  lines.push(h("p", { className: "chart-note", text: previous && previous.value > 0
    ? `${guidance} Last week ${formatNumber(previous.value)} AU → up to about ${formatNumber(Math.round(previous.value * 1.1))} AU this week (${formatNumber(current.value)} AU${current.days < 7 ? " so far" : ""}).`
    : guidance }));
  return h("div", { className: "chart-notes" }, legend, lines);
}

/** "your load rose…" → "Your load rose….": the API's phrases are written to sit mid-sentence. */
function sentence(phrase) {
  const text = phrase.charAt(0).toUpperCase() + phrase.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
