// The Nutrition view: today against each daily target (and how the target was reached), the
// last 7 days of calories against the target with training days marked, protein per kilo
// against 1.6–2.2 g/kg, and possible under-fuelling in plain sentences. Reads GET
// /nutrition/insights (the 7 days to the climber's today), /nutrition/profile and today's
// /nutrition/logs; every figure is the server's, this module only draws it (the arithmetic of
// bars and labels is in nutritionmodel.js). Logging happens in the chat: the view reloads when
// a write that changes it is saved (app.js calls `refresh`).

import { clear, h, viewFrame } from "./dom.js";
import { ApiError } from "./auth.js";
import { longDayLabel, rangeLabel } from "./planmodel.js";
import {
  PROTEIN_RANGE, amount, calorieSummary, formatNumber, mealLine, profileLine, proteinGauge,
  setupNeeded, todayRows, weekBars,
} from "./nutritionmodel.js";

const MEAL_EXAMPLE = "/meal lunch 650kcal protein 35 carbs 80 fat 20";

function percentStyle(node, property, share) {
  // Through the CSSOM: the CSP forbids style attributes, not this.
  node.style[property] = `${Math.round(share * 1000) / 10}%`;
  return node;
}

export class NutritionView {
  #root;
  #session;
  #onCommand;
  #generation = 0;
  #data = null; // { insights, profile, log }
  #els;

  /** `root`: the (hidden) container; `session`: auth.js Session; `onClose`: back to the chat;
   * `onCommand(text)`: back to the chat with `text` in the composer, to edit and send. */
  constructor(root, session, onClose, onCommand) {
    this.#root = root;
    this.#session = session;
    this.#onCommand = onCommand;
    this.#els = viewFrame(root, { prefix: "nut", title: "Nutrition", titleId: "nutrition-title", onClose });
  }

  get isOpen() {
    return !this.#root.hidden;
  }

  /** Show the view and load it anew: meals and training may have been logged since. */
  open() {
    this.#root.hidden = false;
    this.#root.querySelector("#nutrition-title").focus();
    this.#load();
  }

  close() {
    this.#root.hidden = true;
    this.#generation += 1; // late answers are dropped
  }

  /** Reload in place (what is shown stays until the new figures arrive). */
  refresh() {
    if (this.isOpen) this.#load({ quiet: true });
  }

  async #load({ quiet = false } = {}) {
    const generation = ++this.#generation;
    this.#root.setAttribute("aria-busy", "true");
    if (!quiet || !this.#data) this.#els.status.textContent = "Loading your nutrition…";
    try {
      const [insights, profile] = await Promise.all([
        this.#session.request("/nutrition/insights"),
        this.#session.request("/nutrition/profile"),
      ]);
      const logs = await this.#session.request(`/nutrition/logs?date=${insights.end}`);
      if (generation !== this.#generation) return;
      this.#data = { insights, profile, log: (logs.items || []).find((item) => item.date === insights.end) || null };
      this.#els.status.textContent = "";
      this.#draw();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#els.status.textContent = error instanceof ApiError && (error.status === 0 || error.status === 401)
        ? error.message : "Couldn't load your nutrition. Try again in a moment.";
    } finally {
      if (generation === this.#generation) this.#root.removeAttribute("aria-busy");
    }
  }

  #draw() {
    const body = this.#els.body;
    clear(body);
    body.append(...[this.#setup(), this.#today(), this.#week(), this.#protein(), this.#flags(), this.#logging()]
      .filter(Boolean));
  }

  /** A line saying which profile fields targets still need, and the command that sets them. */
  #setup() {
    const needed = setupNeeded(this.#data.insights.targets.missing);
    if (!needed) return null;
    return h("section", { className: "nut-card nut-setup", attrs: { "aria-labelledby": "nut-setup-title" } },
      h("h3", { className: "nut-card-title", text: "Your targets need a few facts", attrs: { id: "nut-setup-title" } }),
      h("p", { className: "nut-lede", text: `To compute your targets I need your ${needed.fields}. Tell me in the chat, with your own numbers:` }),
      h("p", { className: "nut-command" }, h("code", { text: needed.command })),
      h("div", { className: "nut-actions" },
        h("button", {
          className: "primary-button small", text: "Write it in the chat", attrs: { type: "button" },
          on: { click: () => this.#onCommand(needed.command) },
        })));
  }

  #today() {
    const { insights, profile, log } = this.#data;
    const today = insights.end;
    const day = (insights.days || []).find((item) => item.date === today) || null;
    const rows = todayRows(insights.targets, day, log ? log.totals : null);
    const list = h("ul", { className: "nut-today" }, rows.map((row) => {
      const fill = percentStyle(h("span", { className: "nut-meter-fill" }), "width", row.share);
      return h("li", { className: "nut-row", dataset: { nutrient: row.key, source: row.source, over: row.over } },
        h("p", { className: "nut-row-head" },
          h("span", { className: "nut-name", text: row.name }),
          h("span", { className: "nut-figures", text: row.figures }),
          row.percent !== null ? h("span", { className: "nut-percent", text: `${row.percent} %` }) : null),
        h("span", { className: "nut-meter", attrs: { "aria-hidden": "true" } }, fill),
        row.partial ? h("p", { className: "nut-partial", text: row.partial }) : null,
        this.#how(row));
    }));
    return h("section", { className: "nut-card", attrs: { "aria-labelledby": "nut-today-title" } },
      h("div", { className: "nut-card-head" },
        h("h3", { className: "nut-card-title", text: "Today so far", attrs: { id: "nut-today-title" } }),
        h("span", { className: "nut-date", text: longDayLabel(today) })),
      profile && profile.version ? h("p", { className: "nut-lede", text: profileLine(profile) }) : null,
      list,
      this.#todayLog(log));
  }

  /** How the target was reached, on tap (it is long); what a missing one needs, at once. */
  #how(row) {
    if (!row.how) return null;
    if (row.source === "missing") return h("p", { className: "nut-needs", text: `Target ${row.how}` });
    // A target the climber set has nothing to explain: say so plainly instead of a disclosure.
    if (row.source === "yours") return h("p", { className: "nut-needs", text: "Your own target" });
    return h("details", { className: "nut-how" },
      h("summary", { text: `Target: ${row.sourceWords}` }),
      h("p", { text: row.how }));
  }

  #todayLog(log) {
    if (!log || (!log.meals.length && !log.hydrationMl && !(log.supplements || []).length)) {
      return h("p", { className: "nut-empty", text: "Nothing logged today yet." });
    }
    const parts = [];
    if (log.meals.length) {
      parts.push(h("h4", { className: "nut-subtitle", text: "Meals today" }),
        h("ul", { className: "nut-meals" }, log.meals.map((meal) => h("li", { text: mealLine(meal) }))));
    }
    const extras = [];
    if (log.hydrationMl) extras.push(`Water: ${amount(log.hydrationMl, "ml")}`);
    if ((log.supplements || []).length) extras.push(`Supplements: ${log.supplements.join(", ")}`);
    if (extras.length) parts.push(h("p", { className: "nut-extras", text: extras.join(" · ") }));
    return h("div", { className: "nut-log" }, parts);
  }

  #week() {
    const { insights } = this.#data;
    const target = insights.targets.calories.value;
    const { bars, targetShare } = weekBars(insights.days || [], target, insights.end);
    const row = (insights.rows || []).find((item) => item.nutrient === "calories");
    const columns = bars.map((bar) => {
      const plot = h("span", { className: "nut-plot", attrs: { "aria-hidden": "true" } });
      if (targetShare !== null) plot.append(percentStyle(h("span", { className: "nut-target-line" }), "bottom", targetShare));
      if (bar.calories !== null) {
        plot.append(
          percentStyle(h("span", { className: "nut-bar" }), "height", bar.share),
          percentStyle(h("span", { className: "nut-bar-value", text: formatNumber(bar.calories) }), "bottom", bar.share));
      } else {
        plot.append(h("span", { className: "nut-no-bar", text: bar.logged ? "no kcal logged" : "not logged" }));
      }
      return h("li", {
        className: "nut-day",
        dataset: { date: bar.date, logged: bar.logged, trained: bar.trainedMinutes > 0, today: bar.today },
      },
      h("span", { className: "visually-hidden", text: bar.words }),
      plot,
      h("span", { className: "nut-day-label", text: bar.label, attrs: { "aria-hidden": "true" } }),
      h("span", {
        className: "nut-trained", text: bar.trainedMinutes > 0 ? `${bar.trainedMinutes}′` : "",
        attrs: { "aria-hidden": "true", title: bar.trainedMinutes > 0 ? `Trained ${bar.trainedMinutes} min` : null },
      }));
    });
    const legend = h("ul", { className: "chart-legend nut-legend" },
      h("li", {}, h("span", { className: "key key-bar", attrs: { "aria-hidden": "true" } }), "Calories eaten"),
      h("li", {}, h("span", { className: "key key-partial", attrs: { "aria-hidden": "true" } }), "Today so far"),
      target ? h("li", {}, h("span", { className: "key nut-key-target", attrs: { "aria-hidden": "true" } }), `Target ${amount(target, "kcal")}`) : null,
      h("li", {}, h("span", { className: "nut-trained nut-key-trained", text: "60′", attrs: { "aria-hidden": "true" } }), "Training day (minutes)"));
    return h("section", { className: "nut-card", attrs: { "aria-labelledby": "nut-week-title" } },
      h("div", { className: "nut-card-head" },
        h("h3", { className: "nut-card-title", text: "Last 7 days", attrs: { id: "nut-week-title" } }),
        h("span", { className: "nut-date", text: rangeLabel(insights.start, insights.end, insights.end) })),
      h("ol", { className: "nut-week", attrs: { "aria-label": "Calories by day" } }, columns),
      legend,
      h("p", { className: "nut-lede", text: calorieSummary(row, bars.length) }),
      target ? null : h("p", { className: "nut-lede", text: "No calorie target yet: the bars have no line to compare with." }));
  }

  #protein() {
    const { insights } = this.#data;
    const gauge = proteinGauge(insights);
    const [low, high] = PROTEIN_RANGE;
    const parts = [h("h3", { className: "nut-card-title", text: "Protein per kilo", attrs: { id: "nut-protein-title" } })];
    if (!gauge) {
      parts.push(h("p", { className: "nut-lede", text: `Strength athletes do well on ${low}–${high} g of protein per kg of body weight a day. Add your weight to compare: /nutrition weight 68kg (your own number).` }));
    } else {
      const track = h("span", { className: "nut-gauge", attrs: { "aria-hidden": "true" } });
      const band = percentStyle(h("span", { className: "nut-gauge-band" }), "left", gauge.bandFrom);
      percentStyle(band, "width", gauge.bandTo - gauge.bandFrom);
      track.append(band);
      if (gauge.markerShare !== null) track.append(percentStyle(h("span", { className: "nut-gauge-marker" }), "left", gauge.markerShare));
      const scale = h("span", { className: "nut-gauge-scale", attrs: { "aria-hidden": "true" } },
        h("span", { text: "0" }),
        percentStyle(h("span", { className: "nut-gauge-tick", text: `${low}` }), "left", gauge.bandFrom),
        percentStyle(h("span", { className: "nut-gauge-tick", text: `${high}` }), "left", gauge.bandTo),
        h("span", { className: "nut-gauge-end", text: `${formatNumber(gauge.scale, 1)} g/kg` }));
      parts.push(h("div", { className: "nut-gauge-box", dataset: { verdict: gauge.verdict } }, track, scale),
        h("p", { className: "nut-protein-words", text: gauge.words }));
    }
    return h("section", { className: "nut-card", attrs: { "aria-labelledby": "nut-protein-title" } }, parts);
  }

  /** Possible under-fuelling and what the coach says about the targets, as sentences. */
  #flags() {
    const { insights } = this.#data;
    const lines = [...(insights.flags || []), ...(insights.targets.notes || [])];
    if (!lines.length) return null;
    return h("section", { className: "nut-card nut-flags", attrs: { "aria-labelledby": "nut-flags-title" } },
      h("h3", { className: "nut-card-title", text: "Worth a look", attrs: { id: "nut-flags-title" } }),
      h("ul", { className: "nut-flag-list" }, lines.map((text) => h("li", { text }))));
  }

  #logging() {
    return h("div", { className: "nut-logging" },
      h("p", { className: "nut-lede" },
        "Log in the chat: ", h("code", { text: MEAL_EXAMPLE }), ", ", h("code", { text: "/water 500ml" }),
        ", ", h("code", { text: "/supplement creatine 5g" }),
        ", or in plain words (“dinner was a burrito, about 900 kcal”) for you to confirm. ",
        "Leave out what you don't know: it shows as not logged, never as 0. ",
        h("code", { text: "/nutrition" }), " changes your profile or sets your own targets."),
      h("div", { className: "nut-actions" },
        h("button", {
          className: "ghost-button", text: "Log a meal", attrs: { type: "button" },
          on: { click: () => this.#onCommand("/meal ") },
        })));
  }
}
