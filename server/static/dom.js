// Tiny DOM helpers. Every piece of text goes in through textContent / createTextNode:
// nothing from the user or the server is ever parsed as HTML.

/**
 * Create an element. `props`: className, text, hidden, attrs {name: value}, on {event: handler},
 * dataset {key: value}. Children are nodes, strings (as text) or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.hidden) node.hidden = true;
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  for (const [name, value] of Object.entries(props.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const [key, value] of Object.entries(props.dataset || {})) node.dataset[key] = String(value);
  for (const [event, handler] of Object.entries(props.on || {})) node.addEventListener(event, handler);
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function $(selector, root = document) {
  const node = root.querySelector(selector);
  if (!node) throw new Error(`missing element ${selector}`);
  return node;
}

/** A random id for frames: the server accepts [A-Za-z0-9_.:-]{1,64}. */
export function randomId(prefix) {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Fill `root` with a full-page view's frame: a heading (`title`, focusable as `#${titleId}`),
 * a "Back to chat" button calling `onClose`, a polite status line and the body, classed
 * `${prefix}-inner`, `${prefix}-status` and `${prefix}-body`. Returns { status, body }.
 */
export function viewFrame(root, { prefix, title, titleId, onClose }) {
  const status = h("p", { className: `${prefix}-status`, attrs: { role: "status", "aria-live": "polite" } });
  const body = h("div", { className: `${prefix}-body` });
  root.append(
    h("div", { className: `${prefix}-inner` },
      h("div", { className: "progress-head" },
        h("h2", { className: "progress-title", text: title, attrs: { id: titleId, tabindex: "-1" } }),
        h("button", { className: "ghost-button", text: "Back to chat", attrs: { type: "button" }, on: { click: onClose } })),
      status,
      body));
  return { status, body };
}
