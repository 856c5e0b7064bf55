// Small, dependency-free SVG charts for the Progress view.
//
// Every chart is built with createElementNS and setAttribute; text goes in through textContent,
// colours and fonts come from classes in app.css (the CSP forbids inline styles). Each chart is
// drawn for a given pixel width (no viewBox scaling, so labels keep their size on a phone) and
// carries its own text alternative: a <title>/<desc> on the SVG and a visually hidden table.

import { h } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const CHAR_W = 7.4; // average width of a 12px label character, for layout only
const VALUE_CHAR_W = 7.6; // a generous 11px digit (DejaVu's are 7 px): value labels must fit
let uid = 0;

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function text(x, y, content, className, attrs = {}) {
  return s("text", { x: round(x), y: round(y), class: className, ...attrs }, String(content));
}

function round(value) {
  return Math.round(value * 10) / 10;
}

export function formatNumber(value) {
  return Number(value).toLocaleString("en", { maximumFractionDigits: 1 });
}

/** "2026-11-16" → a UTC Date (the API sends plain ISO dates). */
export function parseDay(iso) {
  const [y, m, d] = String(iso).split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function shortDate(iso) {
  return parseDay(iso).toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** The Mondays from the week holding `startIso` to the week holding `endIso`, as ISO dates. */
export function weeksBetween(startIso, endIso) {
  const monday = (date) => new Date(date.getTime() - ((date.getUTCDay() + 6) % 7) * 86_400_000);
  const weeks = [];
  const last = monday(parseDay(endIso)).getTime();
  for (let t = monday(parseDay(startIso)).getTime(); t <= last; t += 7 * 86_400_000) {
    weeks.push(new Date(t).toISOString().slice(0, 10));
  }
  return weeks;
}

/** The svg root: role img, labelled by its <title> and described by its <desc>. */
function frame(width, height, className, title, desc) {
  const id = `chart${++uid}`;
  return s("svg", {
    class: `chart ${className}`, width, height, viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-labelledby": `${id}-t`, "aria-describedby": `${id}-d`, focusable: "false",
  }, s("title", { id: `${id}-t` }, title), s("desc", { id: `${id}-d` }, desc));
}

/**
 * A table of the values, for screen readers (and for reading them back), in a visually hidden
 * box. The box is a block around the table because a table grows to fit its rows whatever
 * height it is given: hidden itself, a year of weeks would still stretch the page.
 */
function valuesTable(className, caption, headers, rows) {
  return h("div", { className: "visually-hidden" }, h("table", { className: `values ${className}` },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, headers.map((head) => h("th", { text: head, attrs: { scope: "col" } })))),
    h("tbody", {}, rows.map(([head, ...cells]) => h("tr", {},
      h("th", { text: head, attrs: { scope: "row" } }),
      cells.map((cell) => h("td", { text: cell })))))));
}

/** Tick values 0..max in 1/2/5 × 10^n steps, at most `count` + 1 of them. */
function ticks(max, count) {
  const raw = Math.max(max, 1) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  const values = [];
  for (let v = 0; v <= max + step * 0.001; v += step) values.push(v);
  if (values[values.length - 1] < max) values.push(values[values.length - 1] + step);
  return values;
}

/**
 * The grade pyramid: one centred bar per grade (hardest on top), the climbs sent as a solid bar
 * and Horst's target for the top three tiers as a dashed outline behind it.
 * `pyramid`: {maxGrade, rows: [{grade, count, target?}], below, total, missing, nextMaxReady}.
 */
export function pyramidChart(pyramid, width, label) {
  const rows = pyramid.rows;
  const labelW = Math.max(40, Math.max(...rows.map((r) => r.grade.length)) * CHAR_W + 14);
  const valueW = 58;
  const rowH = 30;
  const top = 22;
  const plotW = Math.max(60, width - labelW - valueW);
  const height = top + rows.length * rowH + 6;
  const scaleMax = Math.max(1, ...rows.map((r) => Math.max(r.count, r.target || 0)));
  const scale = (v) => (v / scaleMax) * (plotW - 8);
  const centre = labelW + plotW / 2;

  const summary = rows.map((r) => `${r.grade}: ${r.count} sent${r.target ? ` of ${r.target}` : ""}`);
  const svg = frame(width, height, "pyramid-chart", `Grade pyramid, ${label}`,
    `Climbs sent per grade, hardest first. ${summary.join("; ")}.`);
  svg.append(
    text(0, 13, "Grade", "axis-title"),
    text(centre, 13, "Climbs sent", "axis-title", { "text-anchor": "middle" }),
    text(width - 2, 13, "Sent / goal", "axis-title", { "text-anchor": "end" }),
  );
  rows.forEach((row, index) => {
    const y = top + index * rowH;
    const mid = y + rowH / 2;
    const met = row.target ? row.count >= row.target : false;
    const g = s("g", { class: `pyr-row${met ? " met" : ""}${row.count === 0 ? " none" : ""}` });
    g.append(text(labelW - 10, mid + 4.5, row.grade, "grade-label", { "text-anchor": "end" }));
    if (row.target && !met) {
      const w = scale(row.target);
      g.append(s("rect", { class: "pyr-target", x: round(centre - w / 2), y: y + 4, width: round(w), height: rowH - 8, rx: 5 }));
    }
    if (row.count > 0) {
      const w = Math.max(scale(row.count), 4);
      g.append(s("rect", { class: "pyr-bar", x: round(centre - w / 2), y: y + 6, width: round(w), height: rowH - 12, rx: 4 }));
    }
    g.append(text(width - 2, mid + 4.5, row.target ? `${met ? "✓ " : ""}${row.count} / ${row.target}` : String(row.count),
      "value-label", { "text-anchor": "end" }));
    svg.append(g);
  });
  const table = valuesTable("pyramid-values", `Grade pyramid, ${label}`, ["Grade", "Sent", "Target"],
    rows.map((r) => [r.grade, String(r.count), r.target ? String(r.target) : "—"]));
  return { svg, table };
}

/**
 * Max grade per week as a line through the weeks with sends. The y axis is placed by the grade's
 * score but labelled only with grade texts from the data (a score is never shown as a grade).
 * `series`: {points: [{weekStart, grade, score}]}; `weeks`: every Monday of the period.
 */
export function maxGradeChart(series, weeks, width, label) {
  const points = series.points;
  const grades = new Map();
  for (const p of points) grades.set(p.score, p.grade);
  const scores = [...grades.keys()].sort((a, b) => a - b);
  const labelW = Math.max(36, Math.max(...[...grades.values()].map((g) => g.length)) * CHAR_W + 12);
  const left = labelW + 4;
  const right = 16;
  const top = 24;
  const plotH = scores.length > 1 ? 150 : 64; // one grade needs no height to show a change
  const height = top + plotH + 40;
  const plotW = Math.max(40, width - left - right);
  const lo = scores[0];
  const hi = scores[scores.length - 1];
  const span = hi - lo || 1;
  // Inset the extremes so a dot never sits on the week axis.
  const y = (score) => top + (hi === lo ? plotH / 2 : 8 + (plotH - 24) * (1 - (score - lo) / span));
  const step = plotW / Math.max(weeks.length, 1);
  const x = (week) => left + (Math.max(weeks.indexOf(week), 0) + 0.5) * step;

  const best = points.reduce((a, b) => (b.score > a.score ? b : a), points[0]);
  const svg = frame(width, height, "grade-chart", `Max grade by week, ${label}`,
    `Hardest grade sent each week with sends: ${points.map((p) => `week of ${shortDate(p.weekStart)}, ${p.grade}`).join("; ")}. Best: ${best.grade}.`);
  svg.append(text(0, 12, "Grade", "axis-title"));

  let lastY = -Infinity;
  for (const score of [...scores].reverse()) {
    const yy = y(score);
    svg.append(s("line", { class: "grid", x1: left, x2: width - right, y1: round(yy), y2: round(yy) }));
    if (yy - lastY >= 14) {
      svg.append(text(labelW, yy + 4, grades.get(score), "grade-label", { "text-anchor": "end" }));
      lastY = yy;
    }
  }
  appendWeekAxis(svg, weeks, left, step, top + plotH, width);

  const inWeeks = points.filter((p) => weeks.includes(p.weekStart));
  if (inWeeks.length > 1) {
    const d = inWeeks.map((p, i) => `${i ? "L" : "M"}${round(x(p.weekStart))},${round(y(p.score))}`).join(" ");
    svg.append(s("path", { class: "grade-line", d }));
  }
  for (const p of inWeeks) {
    svg.append(s("circle", { class: "grade-dot", cx: round(x(p.weekStart)), cy: round(y(p.score)), r: 4.5 },
      s("title", {}, `Week of ${shortDate(p.weekStart)}: ${p.grade}`)));
  }
  const last = inWeeks[inWeeks.length - 1];
  if (last) {
    const lx = x(last.weekStart);
    const anchor = lx > width - right - 40 ? "end" : "start";
    svg.append(text(lx + (anchor === "end" ? -8 : 8), y(last.score) - 8, last.grade, "point-label", { "text-anchor": anchor }));
  }
  const table = valuesTable("grade-values", `Max grade by week, ${label}`, ["Week of", "Max grade"],
    points.map((p) => [shortDate(p.weekStart), p.grade]));
  return { svg, table };
}

/** Week labels under a plot, thinned so they never overlap. */
function appendWeekAxis(svg, weeks, left, step, baseline, width) {
  svg.append(s("line", { class: "axis", x1: left, x2: width - 16, y1: baseline, y2: baseline }));
  const every = Math.max(1, Math.ceil(52 / step));
  weeks.forEach((week, index) => {
    // Keep the newest week labelled; thin the others back from it.
    if ((weeks.length - 1 - index) % every !== 0) return;
    svg.append(text(left + (index + 0.5) * step, baseline + 16, shortDate(week), "tick-label", { "text-anchor": "middle" }));
  });
  svg.append(text(width - 16, baseline + 34, "Week starting", "axis-title", { "text-anchor": "end" }));
}

/**
 * Weekly load (RPE × minutes, AU) as bars, the current (partial) week marked, and — when there is
 * a 4-week baseline — the 0.8–1.3 × average band over the last four weeks, where a week's load
 * sits in the typical acute:chronic range. `points`: [{weekStart, value, days}];
 * `jump`: {chronic, ...} from the summary, or null.
 */
export function loadChart(points, jump, width) {
  const left = 52;
  const right = 16;
  const top = 22;
  const plotH = 160;
  const height = top + plotH + 40;
  const plotW = Math.max(40, width - left - right);
  const chronic = jump && jump.chronic > 0 ? jump.chronic : 0;
  const maxValue = Math.max(...points.map((p) => p.value), chronic * 1.3, 1);
  const axis = ticks(maxValue, 4);
  const top_ = axis[axis.length - 1];
  const y = (v) => top + plotH - (v / top_) * plotH;
  const step = plotW / Math.max(points.length, 1);
  const barW = Math.max(3, Math.min(step * 0.64, 44));
  const weeks = points.map((p) => p.weekStart);

  const svg = frame(width, height, "load-chart", "Weekly load",
    `Training load per week (RPE × minutes, AU): ${points.map((p) => `week of ${shortDate(p.weekStart)}, ${formatNumber(p.value)}${p.days < 7 ? " so far" : ""}`).join("; ")}.`);
  svg.append(text(4, 12, "Load (AU)", "axis-title"));
  for (const value of axis) {
    const yy = y(value);
    svg.append(s("line", { class: value ? "grid" : "axis", x1: left, x2: width - right, y1: round(yy), y2: round(yy) }));
    svg.append(text(left - 8, yy + 4, formatNumber(value), "tick-label", { "text-anchor": "end" }));
  }
  if (chronic) {
    const span = Math.min(4, points.length);
    const x0 = left + (points.length - span) * step;
    svg.append(s("rect", { class: "load-band", x: round(x0), y: round(y(chronic * 1.3)), width: round(span * step), height: round(y(chronic * 0.8) - y(chronic * 1.3)) },
      s("title", {}, `Typical range this week: ${formatNumber(chronic * 0.8)}–${formatNumber(chronic * 1.3)} AU`)));
    svg.append(s("line", { class: "load-average", x1: round(x0), x2: round(x0 + span * step), y1: round(y(chronic)), y2: round(y(chronic)) }));
  }
  const centre = (index) => left + (index + 0.5) * step;
  const barTop = (value) => y(0) - Math.max(value > 0 ? 2 : 0, y(0) - y(value));
  // Every bar is labelled when the widest label fits its slot; otherwise only this week's.
  const labelWidth = (value) => formatNumber(value).length * VALUE_CHAR_W;
  const labelled = step >= Math.max(...points.map((p) => labelWidth(p.value))) + 6;
  points.forEach((p, index) => {
    const partial = p.days < 7;
    const top = barTop(p.value);
    svg.append(s("rect", { class: `load-bar${partial ? " partial" : ""}`, x: round(centre(index) - barW / 2), y: round(top), width: round(barW), height: round(y(0) - top), rx: Math.min(4, barW / 4) },
      s("title", {}, `Week of ${shortDate(p.weekStart)}: ${formatNumber(p.value)} AU${partial ? " so far" : ""}`)));
  });
  points.forEach((p, index) => {
    if (p.value <= 0 || !(labelled || index === points.length - 1)) return;
    // Inside the chart whatever the value's width, and above every bar the label spans (on a
    // year's thin bars it is wider than its own bar and would cover its neighbours' tops).
    const half = labelWidth(p.value) / 2;
    const x = Math.min(Math.max(centre(index), half + 1), width - half - 1);
    const spanned = points.filter((_, j) => Math.abs(centre(j) - x) < half + barW / 2);
    const highest = Math.min(...spanned.map((q) => barTop(q.value)));
    const baseline = Math.max(12, highest - 5);
    const own = barTop(p.value);
    if (own - baseline > 12) {
      // Raised above taller neighbours: a leader line ties the label to its own bar.
      svg.append(s("line", { class: "label-leader", x1: round(centre(index)), x2: round(centre(index)), y1: round(baseline + 4), y2: round(own - 2) }));
    }
    svg.append(text(x, baseline, formatNumber(p.value), "value-label small", { "text-anchor": "middle" }));
  });
  appendWeekAxis(svg, weeks, left, step, top + plotH, width);
  const table = valuesTable("load-values", "Weekly load (AU)", ["Week of", "Load (AU)", "Days counted"],
    points.map((p) => [shortDate(p.weekStart), formatNumber(p.value), String(p.days)]));
  return { svg, table };
}
