// The slash commands the composer suggests, and the hint popup: a listbox while the command
// name is being typed (arrows / Tab / Enter pick one), then the chosen command's grammar and
// an example while its arguments are typed (Tab on an empty argument list fills the example).

import { clear, h } from "./dom.js";

/** The commands, as the server's catalogue lists them (`GET /commands`): loaded once. */
let COMMANDS = [];

/** Load the catalogue; the hints stay empty if it cannot be read (the server still parses). */
export async function loadCommands() {
  try {
    const response = await fetch("/commands", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const body = await response.json();
    if (Array.isArray(body.commands)) COMMANDS = body.commands.map(shown);
  } catch {
    // Offline at start: no hints until the next load; typing commands still works.
  }
}

function shown(command) {
  const name = String(command.name ?? "");
  const grammar = String(command.grammar ?? "");
  return {
    name,
    aliases: Array.isArray(command.aliases) ? command.aliases.map(String) : [],
    summary: capitalize(String(command.summary ?? "")),
    // The catalogue writes each form in full ("/log …"); the hint's head names the command.
    grammar: grammar.startsWith(`/${name} `) ? grammar.slice(name.length + 2) : grammar,
    example: String(command.example ?? ""),
  };
}

function capitalize(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

export function findCommand(name) {
  const wanted = name.toLowerCase();
  return COMMANDS.find((c) => c.name === wanted || c.aliases.includes(wanted)) || null;
}

export class Hints {
  #input;
  #box;
  #list;
  #detail;
  #matches = [];
  #active = -1;
  #mode = "none"; // none | list | detail

  constructor(input, box, list, detail) {
    this.#input = input;
    this.#box = box;
    this.#list = list;
    this.#detail = detail;
    input.addEventListener("input", () => this.update());
    input.addEventListener("blur", () => setTimeout(() => this.#hide(), 120));
    input.addEventListener("focus", () => this.update());
  }

  /** Recompute the popup from the composer's text. */
  update() {
    const text = this.#input.value;
    const match = /^\/(\S*)(\s?)/.exec(text);
    if (!match || text.includes("\n")) {
      this.#hide();
      return;
    }
    const [, typed, space] = match;
    if (space) {
      const command = findCommand(typed);
      if (command) this.#showDetail(command);
      else this.#hide();
      return;
    }
    const query = typed.toLowerCase();
    const starts = COMMANDS.filter((c) => c.name.startsWith(query));
    const inside = COMMANDS.filter((c) => !c.name.startsWith(query) && c.name.includes(query));
    this.#showList([...starts, ...inside]);
  }

  /**
   * Handle a keydown in the composer. Returns true when the popup used the key (the caller
   * then must not send).
   */
  handleKey(event) {
    if (this.#mode === "list") {
      switch (event.key) {
        case "ArrowDown":
          this.#move(1);
          return true;
        case "ArrowUp":
          this.#move(-1);
          return true;
        case "Tab":
          this.#pick(this.#matches[this.#active]);
          return true;
        case "Enter": {
          if (event.shiftKey) return false;
          const chosen = this.#matches[this.#active];
          // "/help" typed in full: Enter sends it rather than completing it again.
          if (chosen && this.#input.value.slice(1).toLowerCase() === chosen.name) {
            this.#hide();
            return false;
          }
          this.#pick(chosen);
          return true;
        }
        case "Escape":
          this.#hide();
          return true;
        default:
          return false;
      }
    }
    if (this.#mode === "detail") {
      if (event.key === "Escape") {
        this.#hide();
        return true;
      }
      const command = findCommand(this.#input.value.slice(1).split(/\s/)[0]);
      if (event.key === "Tab" && !event.shiftKey && command && /^\/\S+\s*$/.test(this.#input.value)) {
        this.#fill(command.example);
        return true;
      }
    }
    return false;
  }

  close() {
    this.#hide();
  }

  #showList(matches) {
    this.#matches = matches;
    if (matches.length === 0) {
      this.#hide();
      return;
    }
    this.#mode = "list";
    this.#active = 0;
    clear(this.#list);
    matches.forEach((command, index) => {
      const option = h("li", {
        className: "hint-option",
        attrs: { id: `hint-${command.name}`, role: "option", "aria-selected": "false" },
        on: {
          mousedown: (event) => event.preventDefault(), // keep the focus in the composer
          click: () => this.#pick(command),
          mousemove: () => this.#select(index),
        },
      },
      h("span", { className: "hint-name", text: `/${command.name}` }),
      h("span", { className: "hint-summary", text: command.summary }),
      h("span", { className: "hint-example", text: command.example }));
      this.#list.appendChild(option);
    });
    this.#list.hidden = false;
    this.#detail.hidden = true;
    this.#box.hidden = false;
    this.#input.setAttribute("aria-expanded", "true");
    this.#select(0);
  }

  #showDetail(command) {
    this.#mode = "detail";
    this.#matches = [];
    this.#active = -1;
    clear(this.#detail);
    const empty = /^\/\S+\s*$/.test(this.#input.value);
    this.#detail.appendChild(h("div", { className: "hint-detail-head" },
      h("span", { className: "hint-name", text: `/${command.name}` }),
      h("span", { className: "hint-summary", text: command.summary })));
    this.#detail.appendChild(h("p", { className: "hint-grammar", text: command.grammar }));
    this.#detail.appendChild(h("p", { className: "hint-example-line" },
      h("span", { className: "hint-label", text: "e.g. " }),
      h("span", { className: "hint-example", text: command.example }),
      empty ? h("kbd", { className: "hint-key", text: "Tab" }) : null,
      empty ? h("span", { className: "hint-label", text: " to use it" }) : null));
    this.#list.hidden = true;
    this.#detail.hidden = false;
    this.#box.hidden = false;
    this.#input.setAttribute("aria-expanded", "false");
    this.#input.removeAttribute("aria-activedescendant");
  }

  #move(step) {
    const count = this.#matches.length;
    this.#select((this.#active + step + count) % count);
  }

  #select(index) {
    this.#active = index;
    Array.from(this.#list.children).forEach((option, i) => {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) {
        this.#input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  #pick(command) {
    if (!command) return;
    this.#fill(`/${command.name} `);
  }

  #fill(text) {
    this.#input.value = text;
    this.#input.focus();
    this.#input.setSelectionRange(text.length, text.length);
    this.#input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  #hide() {
    this.#mode = "none";
    this.#matches = [];
    this.#active = -1;
    this.#box.hidden = true;
    this.#input.setAttribute("aria-expanded", "false");
    this.#input.removeAttribute("aria-activedescendant");
  }
}
