// The Plan view: the climber's active training plan as the server generated it — the cycle's
// phases, this week's days against the journal, a day's session with its exercises and why,
// planned against done for the weeks gone by (the server's adherence figures), and what the plan
// assumed. Reads GET /training/plans, /analytics/summary and /journal/entries; "Generate a plan"
// posts to /training/generate-plan (Free climbers are told what Pro adds). Every date is a
// calendar date of the climber's, and "today" is the server's, in their time zone.

import { append, clear, h, viewFrame } from "./dom.js";
import { ApiError } from "./auth.js";
import {
  STATUS_WORDS, WEEKDAYS, addDays, covers, dayLabel, dayPlan, dayStatus, daysBetween, doseText,
  longDayLabel, mondayOf, nextTrainingDay, phaseIndexOn, rangeLabel, trains, typeName, weekNumbers, weekOf,
} from "./planmodel.js";

const INTENSITY_WORDS = { low: "low intensity", moderate: "moderate intensity", high: "high intensity", max: "maximal intensity" };
const CONFIRM_NEW = "Your current plan stops being active and a new one is built from your log as it is today.";

/** "why this day" as a sentence: the generator's reasons are phrases without a full stop. */
function sentence(text) {
  const trimmed = String(text || "").trim();
  if (!trimmed) return "";
  const started = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(started) ? started : `${started}.`;
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function formatNumber(value) {
  return Number(value).toLocaleString("en-GB");
}

/** The summary period whose adherence reaches back to the plan's first day. */
function periodFor(plan, today) {
  return daysBetween(plan.startDate, today) < 84 ? "90d" : "1y";
}

export class PlanView {
  #root;
  #session;
  #generation = 0;
  #data = null; // { plan, today, adherence, logged }
  #selected = null; // the day whose session is shown
  #els;

  /** `root`: the (hidden) container; `session`: auth.js Session; `onClose`: back to the chat. */
  constructor(root, session, onClose) {
    this.#root = root;
    this.#session = session;
    this.#els = viewFrame(root, { prefix: "plan", title: "Training plan", titleId: "plan-title", onClose });
  }

  get isOpen() {
    return !this.#root.hidden;
  }

  /** Show the view and load the plan anew: the journal (and the plan) may have changed. */
  open() {
    this.#root.hidden = false;
    this.#root.querySelector("#plan-title").focus();
    this.#load();
  }

  close() {
    this.#root.hidden = true;
    this.#generation += 1; // late answers are dropped
  }

  async #load(notice = "") {
    const generation = ++this.#generation;
    this.#root.setAttribute("aria-busy", "true");
    this.#els.status.textContent = "Loading your plan…";
    try {
      const [plans, recent] = await Promise.all([
        this.#session.request("/training/plans"),
        this.#session.request("/analytics/summary?period=90d"),
      ]);
      const plan = (plans.items || []).find((item) => item.active) || null;
      const today = recent.end;
      let data = { plan, today, adherence: null, logged: new Set() };
      if (plan) {
        const summary = periodFor(plan, today) === "90d"
          ? recent : await this.#session.request("/analytics/summary?period=1y");
        const monday = this.#shownMonday(plan, today);
        const entries = monday <= today
          ? await this.#session.request(`/journal/entries?from=${monday}&to=${addDays(monday, 6)}&limit=200`)
          : { items: [] };
        data = {
          plan,
          today,
          adherence: summary.adherence && summary.adherence.planId === plan.id ? summary.adherence : null,
          logged: new Set((entries.items || []).filter((e) => e.sessionType !== "rest").map((e) => e.date)),
        };
      }
      if (generation !== this.#generation) return;
      this.#data = data;
      this.#selected = plan ? this.#firstSelected(plan, today) : null;
      this.#els.status.textContent = notice;
      this.#draw();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#els.status.textContent = error instanceof ApiError && error.status === 0
        ? error.message : "Couldn't load your plan. Try again in a moment.";
    } finally {
      if (generation === this.#generation) this.#root.removeAttribute("aria-busy");
    }
  }

  /** The Monday of the week shown: this week, or the plan's first (or last) week when today
   * lies before (or after) it. */
  #shownMonday(plan, today) {
    let monday = mondayOf(today);
    if (monday < mondayOf(plan.startDate)) monday = mondayOf(plan.startDate);
    if (plan.endDate && monday > mondayOf(plan.endDate)) monday = mondayOf(plan.endDate);
    return monday;
  }

  /** Today when the plan covers it, else the plan's first training day (before it starts). */
  #firstSelected(plan, today) {
    if (covers(plan, today)) return today;
    if (today < plan.startDate) return nextTrainingDay(plan, plan.startDate);
    return null;
  }

  #draw() {
    const body = this.#els.body;
    clear(body);
    const { plan } = this.#data;
    if (!plan) {
      body.append(this.#emptyState());
      return;
    }
    // append() skips the parts a plan lacks (a hand-written plan has no phases or assumptions).
    append(body, [
      this.#overview(),
      this.#phases(),
      this.#week(),
      this.#sessionSection(),
      this.#pastWeeks(),
      this.#assumptions(),
      this.#renewal()]);
  }

  #emptyState() {
    const feedback = h("div", { className: "plan-feedback", attrs: { role: "alert" } });
    const button = h("button", {
      className: "primary-button", text: "Generate a plan", attrs: { type: "button" },
      on: { click: () => this.#generate(button, feedback) },
    });
    return h("section", { className: "plan-card plan-empty", attrs: { "aria-labelledby": "plan-empty-title" } },
      h("h3", { className: "plan-card-title", text: "No training plan yet", attrs: { id: "plan-empty-title" } }),
      h("p", { className: "plan-lede", text: "The coach builds a periodised plan from your log, profile and goals: phases, each day's session with its exercises, and why." }),
      h("div", { className: "plan-actions" }, button),
      feedback);
  }

  async #generate(button, feedback) {
    clear(feedback);
    const label = button.textContent;
    button.disabled = true;
    button.textContent = "Generating…";
    try {
      await this.#session.request("/training/generate-plan", "POST", {});
      await this.#load("Your new plan is ready.");
      this.#root.querySelector("#plan-name").focus();
    } catch (error) {
      button.disabled = false;
      button.textContent = label;
      feedback.append(this.#refusal(error));
    }
  }

  #refusal(error) {
    if (error instanceof ApiError && error.code === "tier_required") {
      // One home for what each tier adds: the server's words (quotas/features.py).
      return h("div", { className: "plan-tier" },
        h("p", { className: "plan-tier-title", text: error.message }));
    }
    const message = error instanceof ApiError && error.message
      ? error.message : "Couldn't generate a plan. Try again in a moment.";
    return h("p", { className: "plan-error", text: message });
  }

  #overview() {
    const { plan, today } = this.#data;
    const { total, current } = weekNumbers(plan, today);
    let where;
    if (today < plan.startDate) where = `Starts ${longDayLabel(plan.startDate)}`;
    else if (plan.endDate && today > plan.endDate) where = `Finished ${longDayLabel(plan.endDate)}`;
    else where = total ? `Week ${current} of ${total}` : `Week ${current}`;
    const dates = plan.endDate ? rangeLabel(plan.startDate, plan.endDate, today) : `from ${dayLabel(plan.startDate, { weekday: false })}`;
    return h("section", { className: "plan-overview", attrs: { "aria-labelledby": "plan-name" } },
      h("h3", { className: "plan-name", text: plan.name, attrs: { id: "plan-name", tabindex: "-1" } }),
      h("p", { className: "plan-where" }, h("strong", { text: where }), ` · ${dates}`),
      plan.goals && plan.goals.length
        ? h("p", { className: "plan-goals", text: `Working towards: ${plan.goals.join(", ")}` }) : null);
  }

  #phases() {
    const { plan, today } = this.#data;
    const phases = plan.phases || [];
    if (!phases.length) return null;
    const now = phaseIndexOn(plan, today);
    const span = daysBetween(plan.startDate, plan.endDate || phases[phases.length - 1].endDate) + 1;
    const bar = h("div", { className: "plan-timeline", attrs: { "aria-hidden": "true" } });
    phases.forEach((phase, index) => {
      const segment = h("span", { className: `plan-segment${index === now ? " current" : ""}`, dataset: { phase: index } });
      // Proportional widths through the CSSOM (the CSP forbids style attributes, not this).
      segment.style.flexGrow = String(daysBetween(phase.startDate, phase.endDate) + 1);
      bar.append(segment);
    });
    if (covers(plan, today) && span > 0) {
      const marker = h("span", { className: "plan-today-marker" });
      marker.style.left = `${((daysBetween(plan.startDate, today) + 0.5) / span) * 100}%`;
      bar.append(marker);
    }
    const list = h("ol", { className: "plan-phases" }, phases.map((phase, index) => {
      const weeks = Math.round((daysBetween(phase.startDate, phase.endDate) + 1) / 7);
      const current = index === now;
      return h("li", {
        className: `plan-phase${current ? " current" : ""}`, dataset: { phase: index },
        attrs: { "aria-current": current ? "step" : null },
      },
      h("p", { className: "plan-phase-head" },
        h("span", { className: "plan-phase-name", text: phase.name }),
        current ? h("span", { className: "plan-now", text: "Now" }) : null),
      h("p", { className: "plan-phase-dates", text: `${rangeLabel(phase.startDate, phase.endDate, today)} · ${plural(weeks, "week", "weeks")}` }),
      phase.purpose ? h("p", { className: "plan-phase-purpose", text: phase.purpose }) : null);
    }));
    return h("section", { className: "plan-card", attrs: { "aria-labelledby": "plan-phases-title" } },
      h("h3", { className: "plan-card-title", text: "Your cycle", attrs: { id: "plan-phases-title" } }),
      bar, list);
  }

  #week() {
    const { plan, today, logged } = this.#data;
    const monday = this.#shownMonday(plan, today);
    const week = weekOf(plan, monday);
    const thisWeek = monday === mondayOf(today);
    const title = thisWeek ? "This week" : monday > today ? "First week" : "Last week of the plan";
    const facts = [`${dayLabel(monday, { weekday: false })} – ${dayLabel(addDays(monday, 6), { weekday: false })}`];
    if (week) {
      const phase = (plan.phases || [])[week.phase];
      if (phase) facts.push(phase.name);
      if (week.targetLoad) facts.push(`planned load about ${formatNumber(week.targetLoad)} AU`);
    }
    const days = WEEKDAYS.map((_, index) => {
      const day = addDays(monday, index);
      const planned = dayPlan(plan, day);
      const status = dayStatus(plan, day, today, logged);
      const inPlan = covers(plan, day);
      const selected = day === this.#selected;
      const meta = trains(planned) && inPlan
        ? [`${planned.duration} min`, planned.intensity].filter(Boolean).join(" · ") : "";
      return h("li", { className: "plan-day", dataset: { status, day, type: inPlan ? planned.type : "none" } },
        h("button", {
          className: "plan-day-button",
          attrs: { type: "button", "aria-pressed": selected ? "true" : "false", "aria-current": day === today ? "date" : null },
          on: { click: () => this.#select(day) },
        },
        h("span", { className: "plan-day-name" }, h("time", { text: dayLabel(day), attrs: { datetime: day } })),
        h("span", { className: "plan-day-type", text: inPlan ? typeName(planned.type) : "Not in the plan" }),
        meta ? h("span", { className: "plan-day-meta", text: meta }) : null,
        status !== "rest" ? h("span", { className: "plan-day-status", text: STATUS_WORDS[status] })
          : day === today ? h("span", { className: "plan-day-status", text: "Today" }) : null));
    });
    return h("section", { className: "plan-card", attrs: { "aria-labelledby": "plan-week-title" } },
      h("div", { className: "plan-card-head" },
        h("h3", { className: "plan-card-title", text: title, attrs: { id: "plan-week-title" } }),
        week && week.deload ? h("span", { className: "plan-badge", text: "Lighter week" }) : null),
      h("p", { className: "plan-lede", text: facts.join(" · ") }),
      h("ol", { className: "plan-days", attrs: { "aria-label": "Days of the week" } }, days),
      h("p", { className: "plan-hint", text: "Pick a day to see its session. A day is done when you log a session that day." }));
  }

  #select(day) {
    this.#selected = day;
    this.#draw();
    const button = this.#root.querySelector(`.plan-day[data-day="${day}"] button`);
    if (button) button.focus(); // the week was drawn anew: keep the keyboard where it was
  }

  #sessionSection() {
    const { plan, today, logged } = this.#data;
    const day = this.#selected;
    if (!day) return null;
    const planned = dayPlan(plan, day);
    const status = dayStatus(plan, day, today, logged);
    const title = day === today ? `Today's session · ${longDayLabel(day)}` : `Session · ${longDayLabel(day)}`;
    const parts = [h("h3", { className: "plan-card-title", text: title, attrs: { id: "plan-session-title" } })];
    if (!covers(plan, day)) {
      parts.push(h("p", { className: "plan-session-summary", text: "Not in the plan: it runs " +
        (plan.endDate ? rangeLabel(plan.startDate, plan.endDate, today) : `from ${dayLabel(plan.startDate)}`) + "." }));
      return h("section", { className: "plan-card plan-session", attrs: { "aria-labelledby": "plan-session-title" } }, parts);
    }
    if (!trains(planned)) {
      parts.push(h("p", { className: "plan-session-summary", text: day === today ? "Rest day today." : "Rest day." }));
    } else {
      const summary = [typeName(planned.type), `${planned.duration} min`, INTENSITY_WORDS[planned.intensity] || planned.intensity]
        .filter(Boolean).join(" · ");
      parts.push(h("p", { className: "plan-session-summary" },
        h("strong", { text: summary }),
        status !== "rest" ? h("span", { className: "plan-session-status plan-day-status", dataset: { status }, text: STATUS_WORDS[status] }) : null));
      if (planned.focus) parts.push(h("p", { className: "plan-session-focus", text: `Focus: ${planned.focus}` }));
    }
    if (planned.reason) {
      parts.push(h("h4", { className: "plan-subtitle", text: "Why this day" }),
        h("p", { className: "plan-reason", text: sentence(planned.reason) }));
    }
    if (planned.notes) parts.push(h("p", { className: "plan-notes", text: planned.notes }));
    const exercises = planned.exercises || [];
    if (trains(planned) && exercises.length) {
      parts.push(h("h4", { className: "plan-subtitle", text: "Exercises" }),
        h("ol", { className: "plan-exercises" }, exercises.map((exercise) => h("li", { className: "plan-exercise" },
          h("span", { className: "plan-exercise-name", text: exercise.name }),
          doseText(exercise) ? h("span", { className: "plan-exercise-dose", text: doseText(exercise) }) : null,
          exercise.notes ? h("span", { className: "plan-exercise-notes", text: exercise.notes }) : null))));
    }
    if (!trains(planned)) {
      const next = nextTrainingDay(plan, addDays(day, 1));
      if (next) {
        const upcoming = dayPlan(plan, next);
        parts.push(h("p", { className: "plan-next" },
          "Next session: ",
          h("button", {
            className: "link-button", text: `${dayLabel(next)} · ${typeName(upcoming.type)}`,
            attrs: { type: "button" }, on: { click: () => this.#select(next) },
          })));
      }
    }
    return h("section", { className: "plan-card plan-session", attrs: { "aria-labelledby": "plan-session-title" } }, parts);
  }

  #pastWeeks() {
    const { adherence, today } = this.#data;
    const weeks = adherence ? adherence.byWeek.filter((week) => week.planned > 0) : [];
    const thisMonday = mondayOf(today);
    const body = weeks.length
      ? h("ol", { className: "plan-done-weeks" }, weeks.slice().reverse().map((week) => {
        const current = week.weekStart === thisMonday;
        const share = week.planned ? Math.min(1, week.done / week.planned) : 0;
        const fill = h("span", { className: "plan-meter-fill" });
        fill.style.width = `${Math.round(share * 100)}%`;
        return h("li", { className: "plan-done-week" },
          h("span", { className: "plan-done-label", text: current ? "This week so far" : `Week of ${dayLabel(week.weekStart, { weekday: false })}` }),
          h("span", { className: "plan-meter", attrs: { "aria-hidden": "true" } }, fill),
          h("span", { className: "plan-done-figures", text: `${week.done} of ${plural(week.planned, "day", "days")} done · ${formatNumber(week.loggedMinutes)} of ${formatNumber(week.plannedMinutes)} min` }));
      }))
      : h("p", { className: "plan-empty-text", text: "Nothing to compare yet: planned against done appears here once a planned day has gone by." });
    const total = adherence && adherence.plannedDays
      ? h("p", { className: "plan-lede", text: `${adherence.doneDays} of ${plural(adherence.plannedDays, "planned day", "planned days")} done so far${adherence.percent !== null ? ` (${adherence.percent} %)` : ""}.` })
      : null;
    return h("section", { className: "plan-card", attrs: { "aria-labelledby": "plan-done-title" } },
      h("h3", { className: "plan-card-title", text: "Planned vs done", attrs: { id: "plan-done-title" } }),
      total, body);
  }

  #assumptions() {
    const { plan } = this.#data;
    const assumptions = plan.assumptions || [];
    if (!assumptions.length) return null;
    return h("section", { className: "plan-card", attrs: { "aria-labelledby": "plan-assumptions-title" } },
      h("h3", { className: "plan-card-title", text: "What the plan assumed", attrs: { id: "plan-assumptions-title" } }),
      h("ul", { className: "plan-assumptions" }, assumptions.map((text) => h("li", { text }))));
  }

  /** "Generate a new plan", asked twice: the current plan stops being active. */
  #renewal() {
    const feedback = h("div", { className: "plan-feedback", attrs: { role: "alert" } });
    const confirm = h("div", { className: "plan-confirm", hidden: true },
      h("p", { className: "plan-lede", text: CONFIRM_NEW }));
    const ask = h("button", {
      className: "ghost-button", text: "Generate a new plan", attrs: { type: "button", "aria-expanded": "false" },
      on: {
        click: () => {
          confirm.hidden = false;
          ask.setAttribute("aria-expanded", "true");
          go.focus();
        },
      },
    });
    const go = h("button", {
      className: "primary-button small", text: "Generate", attrs: { type: "button" },
      on: { click: () => this.#generate(go, feedback) },
    });
    const keep = h("button", {
      className: "ghost-button", text: "Keep this plan", attrs: { type: "button" },
      on: {
        click: () => {
          confirm.hidden = true;
          ask.setAttribute("aria-expanded", "false");
          ask.focus();
        },
      },
    });
    confirm.append(h("div", { className: "plan-actions" }, go, keep));
    return h("div", { className: "plan-renewal" }, ask, confirm, feedback);
  }
}
