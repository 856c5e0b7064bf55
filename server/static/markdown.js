// The markdown subset the coach may use (the model is told exactly this subset:
// context/answering.py, MARKDOWN_RULE), turned into DOM nodes with h(): nothing is parsed as HTML.
//
//   **bold**              → <strong>
//   *italic*              → <em>
//   `a command`           → <code> (its inside stays text: `/log gym 90min` as typed)
//   "- " or "* " lines    → <ul><li>   (an indented line after an item continues it)
//   "1. " or "1) " lines  → <ol start=1><li>
//   line breaks           → <br> inside a paragraph; a blank line starts a new paragraph
//
// Everything else stays text exactly as written: headings, links, images, code blocks, tables and any
// HTML a model types ("<b>" shows as the four characters). Markers that do not close ("**bold"
// while a reply is still streaming) also stay as typed until their closing marker arrives.

import { h } from "./dom.js";

const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const CONTINUATION = /^\s+\S/;
// Bold: ** then a non-space, up to the nearest ** that follows a non-space.
// Inline code: one backtick, no backtick or line break inside, one backtick.
const CODE = /`([^`\n]+)`/g;
const BOLD = /\*\*(?=\S)([\s\S]*?\S)\*\*/g;
// Italic: a single * not touching a word or another * on its outer side, around non-space ends
// ("5 * 3 * 2" and "file*name*" stay text).
const ITALIC = /(?<![\w*])\*([^\s*](?:[^*]*?[^\s*])?)\*(?![\w*])/g;

/**
 * The nodes of `text`, block by block: <p> (lines joined by <br>), <ul> and <ol> whose items
 * hold the inline nodes. Pure apart from creating nodes; never throws on any string.
 */
export function markdown(text) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let paragraph = null; // the open paragraph's lines
  let list = null; // the open list: {ordered, start, items: [lines of one item]}

  const closeParagraph = () => {
    if (paragraph) blocks.push(h("p", {}, joinLines(paragraph)));
    paragraph = null;
  };
  const closeList = () => {
    if (list) {
      const attrs = list.ordered && list.start !== 1 ? { start: list.start } : {};
      blocks.push(h(list.ordered ? "ol" : "ul", { attrs },
        list.items.map((item) => h("li", {}, joinLines(item)))));
    }
    list = null;
  };
  const item = (ordered, start, content) => {
    closeParagraph();
    if (!list || list.ordered !== ordered) {
      closeList();
      list = { ordered, start, items: [] };
    }
    list.items.push([content]);
  };

  let blank = false; // the previous line was blank
  for (const line of lines) {
    if (!line.trim()) {
      closeParagraph();
      blank = true;
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet) {
      item(false, 1, bullet[1]);
    } else if (numbered) {
      item(true, Number(numbered[1]), numbered[2]);
    } else if (list && !blank && CONTINUATION.test(line)) {
      list.items[list.items.length - 1].push(line.trim());
    } else {
      closeList();
      (paragraph ??= []).push(line);
    }
    blank = false;
  }
  closeParagraph();
  closeList();
  return blocks;
}

function joinLines(lines) {
  return lines.flatMap((line, index) => (index ? [h("br"), ...inline(line)] : inline(line)));
}

/** The inline nodes of one line: strings (text) and <code>/<strong>/<em> elements. */
export function inline(text) {
  return split(text, CODE, (inner) => h("code", { text: inner }), emphasis);
}

function emphasis(text) {
  return split(text, BOLD, (inner) => h("strong", {}, italics(inner)), italics);
}

function italics(text) {
  return split(text, ITALIC, (inner) => h("em", {}, inner), (plain) => [plain]);
}

/** `text` cut at every match of `pattern`: matches through `found`, the rest through `rest`. */
function split(text, pattern, found, rest) {
  const out = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) out.push(...rest(text.slice(at, match.index)));
    out.push(found(match[1]));
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(...rest(text.slice(at)));
  return out;
}
