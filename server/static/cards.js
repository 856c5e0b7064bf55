// Cards for saved and proposed entries: the key fields of each kind at a glance. Built with
// text nodes only; unknown kinds fall back to a plain list of their simple fields.

import { h } from "./dom.js";

const TITLES = {
  session: "Session", send: "Send", goal: "Goal", injury: "Injury", meal: "Meal",
  water: "Water", supplement: "Supplement", profile: "Profile", delete: "Deleted",
  timezone: "Time zone", nutrition_profile: "Nutrition",
};

// The daily targets of a nutrition profile card, in the order /nutrition lists them.
const TARGETS = [
  ["calories", "Calories"], ["proteinG", "Protein"], ["carbsG", "Carbs"], ["fatG", "Fat"],
  ["waterMl", "Water"],
];

const HIDDEN_FIELDS = new Set(["id", "version", "createdAt", "updatedAt", "userId", "pk", "sk"]);

export function titleFor(kind) {
  return TITLES[kind] || capitalize(String(kind || "Entry"));
}

/** The id the server names in an undo frame for this item ({"undone": kind, "id": …}). */
export function undoKey(kind, item) {
  if (kind === "meal" || kind === "water" || kind === "supplement") return item.date || "";
  if (kind === "profile" || kind === "nutrition_profile") return "profile";
  return item.id || "";
}

/** The body of a card for `item` of `kind`: a title line, facts and chips. */
export function cardBody(kind, item) {
  const build = BUILDERS[kind] || genericCard;
  return build(item || {});
}

/** The badge of a send's significance (the wire's values, `personal-best`, …). */
const SIGNIFICANCE_WORDS = { "personal-best": "Personal best", "project-send": "Project send" };

const BUILDERS = {
  session(item) {
    const type = item.sessionType ? capitalize(item.sessionType) : "Session";
    const parts = [type, formatMinutes(item.duration)].filter(Boolean);
    return [
      headline(parts.join(" · "), item.date),
      item.location ? line("at", item.location) : null,
      gradeRow("Sent", item.gradesCompleted, "chip sent"),
      gradeRow("Tried", item.gradesAttempted, "chip tried"),
      facts([
        ["RPE", numberText(item.rpe)],
        ["Energy", outOf(item.physicalCondition?.energy, 10)],
        ...soreness(item.physicalCondition?.soreness),
      ]),
      listRow("Focus", item.technicalFocus),
      notes(item.notes),
    ];
  },
  send(item) {
    const title = [item.grade, item.name].filter(Boolean).join(" · ");
    const notable = item.significance && item.significance !== "routine";
    // Indoor/outdoor (`type`) and attempts are absent unless the climber gave them: nothing is
    // assumed here.
    return [
      headline(title || "Send", item.date),
      item.location ? line("at", item.location) : null,
      facts([
        ["Style", [item.type, item.style, item.ascentStyle].filter(Boolean).join(", ")],
        ["Attempts", numberText(item.attempts)],
      ]),
      notable ? h("span", { className: "badge", text: SIGNIFICANCE_WORDS[item.significance] || capitalize(item.significance) }) : null,
      notes(item.notes),
    ];
  },
  goal(item) {
    return [
      headline(item.description || item.targetGrade || "Goal", null),
      facts([
        ["Target", item.targetGrade],
        ["By", item.targetDate ? formatDate(item.targetDate) : ""],
        ["Status", item.status ? capitalize(item.status) : ""],
      ]),
    ];
  },
  injury(item) {
    const where = [item.side, item.bodyPart].filter(Boolean).join(" "); // "left ring finger"
    const what = [where, item.type].filter(Boolean).join(" · ");
    return [
      headline(capitalize(what || "Injury"), item.date),
      facts([
        ["Grade", numberText(item.severity ?? item.grade)],
        ["Recovery", item.expectedDurationDays ? `about ${numberText(item.expectedDurationDays)} days` : ""],
        ["Status", item.recovered ? "Recovered" : "Active"],
      ]),
      notes(item.notes),
    ];
  },
  meal(item) {
    // A saved meal comes as its day's log (the newest meal last); a proposed one as the meal
    // itself with its date. Only what was logged is shown: a macro left out is not "0 g".
    const meals = Array.isArray(item.meals) ? item.meals : [item];
    const meal = meals[meals.length - 1] || {};
    const title = [meal.mealType ? capitalize(meal.mealType) : "Meal", meal.name]
      .filter(Boolean).join(" · ");
    return [
      headline(title, item.date),
      facts([
        ["kcal", numberText(meal.calories)],
        ["Protein", grams(meal.proteinG)],
        ["Carbs", grams(meal.carbsG)],
        ["Fat", grams(meal.fatG)],
      ]),
      Array.isArray(item.meals) ? daySoFar(item.totals || {}) : null,
    ];
  },
  supplement(item) {
    const taken = Array.isArray(item.supplements) ? item.supplements.map(String) : [];
    return [
      headline(taken[taken.length - 1] || "Supplement", item.date),
      taken.length > 1 ? listRow("That day", taken) : null,
    ];
  },
  nutrition_profile(item) {
    const daily = item.daily || {};
    const diet = Array.isArray(item.dietaryRestrictions) ? item.dietaryRestrictions : [];
    return [
      headline("Nutrition profile", null),
      facts([
        ["Weight", item.weight ? `${numberText(item.weight)} kg` : ""],
        ["Target", item.targetWeight ? `${numberText(item.targetWeight)} kg` : ""],
        ["Height", item.heightCm ? `${numberText(item.heightCm)} cm` : ""],
        ["Age", numberText(item.age)],
        ["Sex", item.sex ? capitalize(item.sex) : ""],
        ["Goal", item.goal ? capitalize(item.goal) : ""],
        ["Activity", item.activityLevel ? capitalize(item.activityLevel) : ""],
      ]),
      listRow("Diet", diet),
      targetList(daily),
      ...(Array.isArray(daily.notes) ? daily.notes.map((note) => notes(note)) : []),
      Array.isArray(daily.missing) && daily.missing.length
        ? line("To compute every target, add", daily.missing.map(missingName).join(", "))
        : null,
    ];
  },
  water(item) {
    return [
      headline("Water", item.date),
      facts([["Today", item.hydrationMl !== undefined ? `${numberText(item.hydrationMl)} ml` : ""]]),
    ];
  },
  delete(item) {
    // `/delete N`: what went, once (its Undo puts it back).
    const what = item.deleted === "send" ? "Send" : "Session";
    return [headline(item.description || what, item.date), line("Removed", what.toLowerCase())];
  },
  profile(item) {
    const grades = [];
    for (const [setting, byStyle] of Object.entries(item.currentGrades || {})) {
      for (const [style, grade] of Object.entries(byStyle || {})) {
        if (grade) grades.push([`${capitalize(style)} (${setting})`, String(grade)]);
      }
    }
    return [
      headline("Profile updated", null),
      facts([
        ["Weight", item.weight ? `${numberText(item.weight)} kg` : ""],
        ["Height", item.heightCm ? `${numberText(item.heightCm)} cm` : ""],
        ["Climbing", item.yearsClimbing ? `${numberText(item.yearsClimbing)} yrs` : ""],
        ...grades,
      ]),
    ];
  },
};

/** The day's totals so far, each only when a meal gave it ("from 1 of 2 meals" if not all). */
function daySoFar(totals) {
  const counted = totals.mealsWith || {};
  const meals = Number(totals.meals) || 0;
  const given = [
    ["calories", numberText(totals.calories), "kcal"],
    ["proteinG", numberText(totals.proteinG), "g protein"],
    ["carbsG", numberText(totals.carbsG), "g carbs"],
    ["fatG", numberText(totals.fatG), "g fat"],
  ].filter(([, value]) => value !== "").map(([key, value, unit]) => {
    const some = Number(counted[key]);
    const from = Number.isFinite(some) && some < meals ? `from ${some} of ${meals} meals` : "";
    return { text: `${value} ${unit}`, from };
  });
  if (given.length === 0) return null;
  // One "(from …)" at the end when every total came from the same meals, else one each.
  const same = given.every((part) => part.from === given[0].from);
  const parts = given.map((part) => (same || !part.from ? part.text : `${part.text} (${part.from})`));
  const tail = same && given[0].from ? ` (${given[0].from})` : "";
  return line("Day so far", parts.join(" · ") + tail);
}

/** Each daily target: its value and whether it is the climber's own or computed (how: on hover). */
function targetList(daily) {
  const rows = TARGETS.map(([key, label]) => [label, daily[key]])
    .filter(([, target]) => target && typeof target === "object");
  if (rows.length === 0) return null;
  return h("dl", { className: "facts targets" }, rows.map(([label, target]) => {
    const value = wholeNumber(target.value);
    const shown = value
      ? `${value} ${target.unit || ""} · ${target.source === "yours" ? "yours" : "computed"}`
      : "not computed yet";
    return h("div", { className: "fact", attrs: { title: target.how ? String(target.how) : null } },
      h("dt", { text: label }),
      h("dd", { text: shown.replace(/\s+·/, " ·") }));
  }));
}

/** 2,220 (grouped, rounded), as the chat's /nutrition reply writes targets. */
function wholeNumber(value) {
  const number = Number(value);
  if (value === null || value === undefined || !Number.isFinite(number)) return "";
  return Math.round(number).toLocaleString("en-US");
}

function missingName(field) {
  const names = { weight: "weight", heightCm: "height", age: "age", sex: "sex" };
  return names[field] || humanize(String(field));
}

function genericCard(item) {
  const simple = Object.entries(item)
    .filter(([key, value]) => !HIDDEN_FIELDS.has(key) && isSimple(value))
    .slice(0, 8)
    .map(([key, value]) => [humanize(key), String(value)]);
  return [headline(item.description || item.name || "", item.date), facts(simple)];
}

function headline(text, date) {
  return h("div", { className: "card-headline" },
    h("span", { className: "card-main", text }),
    date ? h("time", { className: "card-date", attrs: { datetime: date }, text: formatDate(date) }) : null);
}

function line(label, value) {
  return h("p", { className: "card-line" },
    h("span", { className: "card-label", text: `${label} ` }), String(value));
}

function gradeRow(label, grades, chipClass) {
  if (!Array.isArray(grades) || grades.length === 0) return null;
  return h("div", { className: "card-row" },
    h("span", { className: "card-label", text: label }),
    h("span", { className: "chips" }, grades.map((entry) => {
      const grade = typeof entry === "string" ? entry : entry.grade;
      const count = typeof entry === "object" && entry.count > 1 ? ` ×${entry.count}` : "";
      return h("span", { className: chipClass, text: `${grade}${count}` });
    })));
}

function listRow(label, values) {
  if (!Array.isArray(values) || values.length === 0) return null;
  return line(label, values.join(", "));
}

function facts(pairs) {
  const shown = pairs.filter(([, value]) => value !== "" && value !== null && value !== undefined);
  if (shown.length === 0) return null;
  return h("dl", { className: "facts" }, shown.map(([label, value]) =>
    h("div", { className: "fact" },
      label ? h("dt", { text: label }) : null,
      h("dd", { text: String(value) }))));
}

function notes(text) {
  if (!text) return null;
  return h("blockquote", { className: "card-notes", text: String(text) });
}

function soreness(map) {
  if (!map || typeof map !== "object") return [];
  return Object.entries(map)
    .filter(([, level]) => Number(level) > 0)
    .map(([part, level]) => [`${capitalize(part)} sore`, `${level}/10`]);
}

export function formatMinutes(minutes) {
  const total = Number(minutes);
  if (!Number.isFinite(total) || total <= 0) return "";
  if (total < 120) return `${Math.round(total)} min`;
  const hours = Math.floor(total / 60);
  const rest = Math.round(total % 60);
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

export function formatDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
  if (!match) return String(iso);
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const now = new Date();
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  const days = Math.round((today - date.getTime()) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  const sameYear = year === now.getFullYear();
  return date.toLocaleDateString(undefined, {
    weekday: "short", month: "short", day: "numeric", year: sameYear ? undefined : "numeric",
    timeZone: "UTC",
  });
}

function numberText(value) {
  if (value === null || value === undefined || value === "") return "";
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return Number.isInteger(number) ? String(number) : String(Math.round(number * 10) / 10);
}

function outOf(value, max) {
  const text = numberText(value);
  return text ? `${text}/${max}` : "";
}

function grams(value) {
  const text = numberText(value);
  return text ? `${text} g` : "";
}

function isSimple(value) {
  return ["string", "number", "boolean"].includes(typeof value) && value !== "";
}

function capitalize(text) {
  const value = String(text).replace(/_/g, " ");
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function humanize(key) {
  return capitalize(key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
}
