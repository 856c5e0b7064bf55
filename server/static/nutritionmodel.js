// Reading nutrition as the API sends it (camelCase JSON from /nutrition/profile and
// /nutrition/insights): today against each daily target, the 7-day calorie bars, protein per
// kilo against 1.6–2.2 g/kg, and the words for each. Pure functions: no DOM, no fetching. A
// nutrient that was not logged is null and stays "not logged", never 0; "today" is the
// climber's, from the server (the last day of the insights range).

import { dayLabel, weekdayIndex } from "./planmodel.js";

const SHORT_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** "2026-12-07" → "Mon 7". */
export function shortDay(day) {
  return `${SHORT_WEEKDAYS[weekdayIndex(day)]} ${Number(day.slice(8, 10))}`;
}

/** The five daily targets, in the order the view shows them. `key`: the field of `daily` and
 * of a day; `unit`: as the API gives it. */
export const NUTRIENTS = [
  { key: "calories", name: "Calories", unit: "kcal" },
  { key: "proteinG", name: "Protein", unit: "g" },
  { key: "carbsG", name: "Carbs", unit: "g" },
  { key: "fatG", name: "Fat", unit: "g" },
  { key: "waterMl", name: "Water", unit: "ml" },
];

/** Which meal field each nutrient is counted from in a day's `totals.mealsWith`. */
const MEAL_FIELDS = { calories: "calories", proteinG: "proteinG", carbsG: "carbsG", fatG: "fatG" };

export const SOURCE_WORDS = { yours: "your target", computed: "computed", missing: "not set yet" };

/** Saved frames whose write can change what the view shows: meals, water, supplements and the
 * nutrition profile; sessions and the athlete profile (training and weight feed the targets);
 * deletes, undos and a new time zone (a different "today"). */
const CHANGES_NUTRITION = new Set([
  "meal", "water", "supplement", "nutrition_profile", "session", "profile", "delete", "undo", "timezone",
]);

export function changesNutrition(frame) {
  return Boolean(frame) && frame.type === "saved" && CHANGES_NUTRITION.has(frame.kind);
}

/** The profile fields targets need (wire names) in a climber's words. */
const FIELD_WORDS = { weight: "weight", heightCm: "height", age: "age", sex: "sex" };
/** What `/nutrition` takes for each field, as an example the climber edits. */
const FIELD_EXAMPLES = { weight: "weight 68kg", heightCm: "height 170cm", age: "age 30", sex: "sex female" };

/** "a", "a and b", "a, b and c". */
export function listWords(words) {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** 2150 → "2,150"; 1.45 → "1.5" (one decimal at most, none for whole numbers). */
export function formatNumber(value, decimals = 0) {
  return Number(value).toLocaleString("en-GB", { maximumFractionDigits: decimals });
}

/** An amount with its unit: "2,150 kcal", "35 g", "1,500 ml". */
export function amount(value, unit) {
  return `${formatNumber(value, unit === "g" && value < 10 ? 1 : 0)} ${unit}`;
}

/** `value` as a whole percentage of `target`, or null without both. */
export function percentOf(value, target) {
  if (value === null || value === undefined || !target) return null;
  return Math.round((value / target) * 100);
}

/** How much of a bar `value` fills against `target`, 0..1 (a day over its target fills it). */
export function fillShare(value, target) {
  if (value === null || value === undefined || !target) return 0;
  return Math.max(0, Math.min(1, value / target));
}

/**
 * Today's row per nutrient: what was logged so far against the target.
 * `daily`: the profile's or the insights' `targets`; `day`: today's entry of the insights'
 * `days` (or null); `totals`: today's log totals (or null), for how many meals gave each
 * nutrient. Each row: {key, name, unit, logged (null: not logged), target (null: missing),
 * percent, share, over, figures, source, sourceWords, how, partial}.
 */
export function todayRows(daily, day, totals) {
  return NUTRIENTS.map(({ key, name, unit }) => {
    const target = daily && daily[key] ? daily[key] : { value: null, source: "missing", how: "" };
    const value = target.value ?? null;
    const logged = day && day.logged ? day[key] ?? null : null;
    const meals = totals ? totals.meals || 0 : 0;
    const field = MEAL_FIELDS[key];
    const gave = field && totals && totals.mealsWith ? totals.mealsWith[field] ?? 0 : null;
    let figures;
    if (logged === null && value === null) figures = "not logged · no target yet";
    else if (logged === null) figures = `not logged · target ${amount(value, unit)}`;
    else if (value === null) figures = `${amount(logged, unit)} · no target yet`;
    else figures = `${formatNumber(logged)} of ${amount(value, unit)}`;
    return {
      key,
      name,
      unit,
      logged,
      target: value,
      percent: percentOf(logged, value),
      share: fillShare(logged, value),
      over: logged !== null && value !== null && logged > value,
      figures,
      source: target.source,
      sourceWords: SOURCE_WORDS[target.source] || target.source,
      how: target.how || "",
      // "from 1 of 2 meals": the other meals did not give this nutrient (not logged, not 0).
      // Only when some meals gave it: "not logged" already says none did.
      partial: gave !== null && gave > 0 && gave < meals ? `from ${gave} of ${meals} meals` : "",
    };
  });
}

/**
 * One bar per day of `days` (the insights' days, oldest first) for calories against
 * `target` (kcal or null). Heights are shares of one scale, so the tallest bar or the target,
 * whichever is higher, reaches 85 % of the plot (room for its label above). Each bar: {date,
 * label, today, logged, calories (null: not logged that day, or no calories in its log),
 * share, percent, trainedMinutes, words}; `targetShare`: where the target line sits (null
 * without a target).
 */
export function weekBars(days, target, today) {
  const eaten = days.map((day) => (day.logged ? day.calories ?? null : null));
  const top = Math.max(target || 0, ...eaten.filter((value) => value !== null), 1) / 0.85;
  const bars = days.map((day, index) => {
    const calories = eaten[index];
    const percent = percentOf(calories, target);
    const isToday = day.date === today;
    const minutes = day.trainingMinutes || 0;
    let words;
    if (!day.logged) words = "not logged";
    else if (calories === null) words = "no calories logged";
    else words = `${amount(calories, "kcal")}${percent !== null ? `, ${percent} % of target` : ""}${isToday ? " so far" : ""}`;
    if (minutes > 0) words += `; trained ${minutes} min`;
    return {
      date: day.date,
      label: isToday ? "Today" : shortDay(day.date),
      today: isToday,
      logged: Boolean(day.logged),
      calories,
      share: calories === null ? 0 : calories / top,
      percent,
      trainedMinutes: minutes,
      words: `${dayLabel(day.date)}: ${words}`,
    };
  });
  return { bars, targetShare: target ? target / top : null };
}

/** The calorie row's summary in words, e.g. "Averaging 1,980 kcal over 5 logged days, 85 % of
 * your 2,340 kcal target; under it on 3 finished days." `row`: the insights' calories row. */
export function calorieSummary(row, daysInRange) {
  if (!row || row.average === null || row.average === undefined) {
    return `No calories logged in these ${daysInRange} days yet.`;
  }
  const over = `over ${row.daysLogged} logged ${row.daysLogged === 1 ? "day" : "days"}`;
  let text = `Averaging ${amount(row.average, "kcal")} a day ${over}`;
  if (row.target) text += `, ${row.percent} % of your ${amount(row.target, "kcal")} target`;
  if (row.daysUnder) text += `; under it on ${row.daysUnder} finished ${row.daysUnder === 1 ? "day" : "days"}`;
  return `${text}.`;
}

export const PROTEIN_RANGE = [1.6, 2.2];
const PROTEIN_SCALE = 3; // g/kg at the right end of the gauge

/**
 * Protein per kilo of body weight against 1.6–2.2 g/kg. `insights`: {proteinGPerKg,
 * proteinRangeG, weight, rows}. Returns null without a weight; else {perKg (null when no
 * protein was logged), markerShare, bandFrom, bandTo, verdict, words}.
 */
export function proteinGauge(insights) {
  if (!insights || !insights.weight) return null;
  const [low, high] = PROTEIN_RANGE;
  const perKg = insights.proteinGPerKg ?? null;
  const scale = Math.max(PROTEIN_SCALE, perKg ? perKg * 1.1 : 0);
  const grams = insights.proteinRangeG || [low * insights.weight, high * insights.weight];
  const range = `${low}–${high} g/kg strength athletes do well on, ${formatNumber(grams[0])}–${amount(grams[1], "g")} a day at ${formatNumber(insights.weight, 1)} kg`;
  const row = (insights.rows || []).find((item) => item.nutrient === "protein_g");
  let verdict = "none";
  let words = `No protein logged in these days yet: aim for the ${range}.`;
  if (perKg !== null) {
    verdict = perKg < low ? "under" : perKg > high ? "over" : "within";
    const average = row && row.average !== null ? ` (${amount(row.average, "g")} over ${row.daysLogged} logged ${row.daysLogged === 1 ? "day" : "days"})` : "";
    const where = { under: "under", within: "within", over: "above" }[verdict];
    words = `${formatNumber(perKg, 1)} g/kg a day on average${average}: ${where} the ${range}.`;
  }
  return {
    perKg,
    markerShare: perKg === null ? null : Math.min(1, perKg / scale),
    bandFrom: low / scale,
    bandTo: high / scale,
    scale,
    verdict,
    words,
  };
}

/**
 * What the profile lacks for targets, or null when nothing: {fields ("weight, height, age and
 * sex"), command (the `/nutrition` line that sets them, with example values to change)}.
 */
export function setupNeeded(missing) {
  const known = (missing || []).filter((field) => FIELD_WORDS[field]);
  if (!known.length) return null;
  return {
    fields: listWords(known.map((field) => FIELD_WORDS[field])),
    command: `/nutrition ${known.map((field) => FIELD_EXAMPLES[field]).join(" ")}`,
  };
}

const GOAL_WORDS = { maintain: "Maintain", cut: "Cut (a modest deficit)", bulk: "Bulk", recomp: "Recomposition" };
const ACTIVITY_WORDS = {
  sedentary: "sedentary", light: "lightly active", moderate: "moderately active", active: "active", very_active: "very active",
};

/** The profile in one line: "Maintain · 68 kg · moderately active". */
export function profileLine(profile) {
  if (!profile) return "";
  const parts = [GOAL_WORDS[profile.goal] || profile.goal];
  if (profile.weight) parts.push(`${formatNumber(profile.weight, 1)} kg`);
  if (profile.activityLevel) parts.push(ACTIVITY_WORDS[profile.activityLevel] || profile.activityLevel);
  return parts.filter(Boolean).join(" · ");
}

const MEAL_TYPES = {
  breakfast: "Breakfast", lunch: "Lunch", dinner: "Dinner", snack: "Snack",
  pre_workout: "Before training", post_workout: "After training",
};

/** A meal in one line: "Lunch · pasta · 650 kcal · 35 g protein" (what was not logged left out). */
export function mealLine(meal) {
  const parts = [MEAL_TYPES[meal.mealType] || meal.mealType];
  if (meal.name) parts.push(meal.name);
  if (meal.calories !== null && meal.calories !== undefined) parts.push(amount(meal.calories, "kcal"));
  for (const [key, word] of [["proteinG", "protein"], ["carbsG", "carbs"], ["fatG", "fat"]]) {
    if (meal[key] !== null && meal[key] !== undefined) parts.push(`${amount(meal[key], "g")} ${word}`);
  }
  return parts.join(" · ");
}
