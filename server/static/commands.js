// The slash commands the composer suggests, and the hint popup: a listbox while the command
// name is being typed (arrows / Tab / Enter pick one), then the chosen command's grammar and
// an example while its arguments are typed (Tab on an empty argument list fills the example).

import { clear, h } from "./dom.js";

export const COMMANDS = [
  { name: "log", summary: "Log a session",
    grammar: "[gym|outdoor|board|hangboard|training] DURATION [DATE] [@PLACE] [sent GRADES] [tried GRADES] [rpe 0-10] [energy 1-10] [fingers 0-10] [notes: TEXT]",
    example: "/log gym 90min rpe 7 sent V4 V5 tried V6 notes: crimps felt strong" },
  { name: "send", summary: "Log a notable send",
    grammar: 'GRADE ["NAME"] [@PLACE] [indoor|outdoor] [slab|overhang|…] [onsight|flash|redpoint] [attempts N]',
    example: '/send V7 "Midnight Lightning" @Yosemite outdoor attempts 12' },
  { name: "goal", summary: "Add, list or complete goals",
    grammar: "[GRADE] [boulder|sport|trad] [DESCRIPTION] [by YYYY-MM-DD] · list · done N",
    example: "/goal V8 boulder by 2027-06-30" },
  { name: "injury", summary: "Record, list or close injuries",
    grammar: "[left|right] BODY PART TYPE [grade 1-4] [DATE] · list · recovered N",
    example: "/injury ring finger A2 pulley strain" },
  { name: "meal", summary: "Log a meal",
    grammar: "[breakfast|lunch|dinner|snack] [NAME] [650kcal] [protein G] [carbs G] [fat G]",
    example: "/meal lunch 650kcal protein 35 carbs 80 fat 20" },
  { name: "water", summary: "Log water",
    grammar: "500ml | 0.5l | 2 glasses | 1 bottle [DATE]",
    example: "/water 500ml" },
  { name: "profile", summary: "Show or set your profile",
    grammar: "[weight 68kg] [height 175cm] [years 6] [boulder GRADE] [sport GRADE]",
    example: "/profile weight 68kg boulder V6 sport 7a+" },
  { name: "undo", summary: "Undo your last entry",
    grammar: "(your last entry) · TOKEN", example: "/undo" },
  { name: "history", summary: "Recent sessions and sends",
    grammar: "[N] · [7d|2w|30 days]", example: "/history 7d" },
  { name: "stats", summary: "Your numbers: grades, load, pyramid",
    grammar: "[7d|30d|90d]", example: "/stats 30d" },
  { name: "help", summary: "Every command, or one in detail",
    grammar: "[COMMAND]", example: "/help log" },
];

export function findCommand(name) {
  const wanted = name.toLowerCase();
  return COMMANDS.find((command) => command.name === wanted) || null;
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
