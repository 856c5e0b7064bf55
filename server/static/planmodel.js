// Reading a training plan as the API sends it (camelCase JSON): which day it holds on a date,
// where a date falls in its cycle, how a week's days stand against the journal, and an
// exercise's dose in words. Pure functions over plain ISO dates ("2026-12-07"): calendar days,
// never instants, so no time zone can shift them; "today" is the climber's, from the server.

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const TYPE_NAMES = {
  strength: "Strength", power: "Power", endurance: "Endurance", technique: "Technique", rest: "Rest",
  climb: "Climbing", board: "Board", hangboard: "Hangboard", mobility: "Mobility", cardio: "Cardio",
};

/** "2026-12-07" → milliseconds at that day's UTC midnight. */
function utc(iso) {
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

function iso(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day, count) {
  return iso(utc(day) + count * 86_400_000);
}

export function daysBetween(from, to) {
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(day) {
  return (new Date(utc(day)).getUTCDay() + 6) % 7;
}

export function mondayOf(day) {
  return addDays(day, -weekdayIndex(day));
}

/** "Mon 7 Dec" (with the year when `withYear`). */
export function dayLabel(day, { weekday = true, withYear = false } = {}) {
  return new Date(utc(day)).toLocaleDateString("en-GB", {
    weekday: weekday ? "short" : undefined, day: "numeric", month: "short",
    year: withYear ? "numeric" : undefined, timeZone: "UTC",
  });
}

/** "Monday 7 December". */
export function longDayLabel(day) {
  return new Date(utc(day)).toLocaleDateString("en-GB", {
    weekday: "long", day: "numeric", month: "long", timeZone: "UTC",
  });
}

/** "7 Dec – 3 Jan" (years shown when the range leaves this year or spans two). */
export function rangeLabel(start, end, today) {
  const year = (day) => day.slice(0, 4);
  const withYear = year(start) !== year(end) || year(start) !== year(today);
  const first = dayLabel(start, { weekday: false, withYear: withYear && year(start) !== year(end) });
  return `${first} – ${dayLabel(end, { weekday: false, withYear })}`;
}

export function typeName(type) {
  return TYPE_NAMES[type] || String(type || "Rest");
}

/** Whether a day trains (anything but rest). */
export function trains(day) {
  return Boolean(day) && day.type !== "rest";
}

/** The week of the plan starting on `monday`, or null (a plan without weeks repeats its
 * `weeklyStructure`). */
export function weekOf(plan, monday) {
  return (plan.weeks || []).find((week) => week.startDate === monday) || null;
}

/** What the plan holds on `day`: its week's day when it lists weeks, else the repeating
 * weekly structure (TrainingPlanIn.day_plan). */
export function dayPlan(plan, day) {
  const week = weekOf(plan, mondayOf(day));
  const days = week ? week.days : plan.weeklyStructure || {};
  return days[WEEKDAYS[weekdayIndex(day)]] || { type: "rest", duration: 0, exercises: [] };
}

export function covers(plan, day) {
  return plan.startDate <= day && (!plan.endDate || day <= plan.endDate);
}

/** The index of the phase holding `day`, or -1. */
export function phaseIndexOn(plan, day) {
  return (plan.phases || []).findIndex((phase) => phase.startDate <= day && day <= phase.endDate);
}

/** Weeks in the plan (its listed weeks, else whole weeks between its dates), and which one
 * `day` is in (1-based; 0 before the plan starts). */
export function weekNumbers(plan, day) {
  const total = plan.weeks && plan.weeks.length
    ? plan.weeks.length
    : plan.endDate ? Math.ceil((daysBetween(plan.startDate, plan.endDate) + 1) / 7) : null;
  const current = day < plan.startDate ? 0 : Math.floor(daysBetween(mondayOf(plan.startDate), day) / 7) + 1;
  return { total, current };
}

/**
 * Where a day of the plan stands: "rest", "done" (a session other than rest was logged that
 * day, as plan adherence counts it), "missed" (a training day gone by with nothing logged),
 * "today" (today's session, not logged yet) or "planned" (to come). `logged`: the set of days
 * with a session other than rest.
 */
export function dayStatus(plan, day, today, logged) {
  if (!covers(plan, day) || !trains(dayPlan(plan, day))) return "rest";
  if (logged.has(day)) return "done";
  if (day < today) return "missed";
  return day === today ? "today" : "planned";
}

export const STATUS_WORDS = {
  rest: "Rest", done: "Done", missed: "Missed", today: "Today", planned: "Planned",
};

/** The first training day of the plan on or after `day`, or null. */
export function nextTrainingDay(plan, day) {
  const from = day < plan.startDate ? plan.startDate : day;
  const last = plan.endDate || addDays(from, 13);
  for (let d = from; d <= last; d = addDays(d, 1)) {
    if (trains(dayPlan(plan, d))) return d;
  }
  return null;
}

/** A rest as climbers say it: "90 s", "3 min", "2 min 30 s". */
function seconds(value) {
  if (value < 120) return `${value} s`;
  const minutes = Math.floor(value / 60);
  const rest = value % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/**
 * An exercise's dose in words, e.g. "5 × 10 s hangs · rest 3 min · 20 mm edge · 80 % of your
 * max", "4 × 6 · rest 90 s · at V3–V4" or "4 sets · rest 90 s" (one rep a set). Parts the plan
 * leaves out are left out.
 */
export function doseText(exercise) {
  const parts = [];
  const sets = exercise.sets;
  if (exercise.hangSeconds) {
    const hangs = `${exercise.hangSeconds} s hangs`;
    if (sets && exercise.reps > 1) parts.push(`${sets} sets of ${exercise.reps} × ${hangs}`);
    else if (exercise.reps > 1) parts.push(`${exercise.reps} × ${hangs}`);
    else parts.push(sets ? `${sets} × ${hangs}` : hangs);
  } else if (sets && exercise.reps > 1) {
    parts.push(`${sets} × ${exercise.reps}`);
  } else if (sets && sets > 1) {
    // One rep a set (a problem, a route, a drill): "4 × 1" would read as a puzzle.
    parts.push(`${sets} sets`);
  }
  if (exercise.duration) parts.push(`${exercise.duration} min`);
  if (exercise.restSeconds) parts.push(`rest ${seconds(exercise.restSeconds)}`);
  if (exercise.edgeMm) parts.push(`${exercise.edgeMm} mm edge`);
  if (exercise.intensityPercent) parts.push(`${exercise.intensityPercent} % of your max`);
  if (exercise.gradeTarget) parts.push(`at ${exercise.gradeTarget}`);
  return parts.join(" · ");
}
