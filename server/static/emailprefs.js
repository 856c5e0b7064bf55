// The "Email from your coach" dialog: the two emails a climber opts into (the weekly report and
// the reminder to log a planned day), saved the moment a switch moves.
//
// The preferences live in the account (`/users/profile`), which is replaced whole with the
// `version` last read: every save sends the profile as just read with one switch changed, so
// nothing else in it (name, units, time zone…) is lost, and a change made elsewhere in between
// is refused (409) rather than overwritten. Whether the tier includes the weekly report comes
// from the server (`features`), never from a copy of the tiers here.

import { $ } from "./dom.js";
import { ApiError } from "./auth.js";

const PROFILE = "/users/profile";

// Each switch and the preference it sets.
const SWITCHES = [
  { id: "#email-weekly", preference: "emailReports", on: "Weekly report on.", off: "Weekly report off." },
  { id: "#email-reminders", preference: "reminders", on: "Reminders on.", off: "Reminders off." },
];

function asApiError(error) {
  return error instanceof ApiError ? error : new ApiError(0, "internal", String(error));
}

function shown(tier) {
  return tier ? tier.charAt(0).toUpperCase() + tier.slice(1) : "";
}

export class EmailPrefsPanel {
  #session;
  #dialog = $("#email-prefs");
  #profile = null; // the account as last read or saved, with its `version` and `features`
  #saving = false;

  constructor(session) {
    this.#session = session;
    $("#open-email").addEventListener("click", () => this.#open());
    $("#email-prefs-close").addEventListener("click", () => this.#dialog.close());
    // Named by its title only while open: closed, a dialog whose name begins "Email" would be a
    // second match for the sign-in form's "Email" field wherever that field is found by label.
    this.#dialog.addEventListener("close", () => this.#dialog.removeAttribute("aria-labelledby"));
    for (const { id, preference } of SWITCHES) {
      $(id).addEventListener("change", (event) => this.#save(preference, event.target.checked));
    }
  }

  /** Signed in: the header button shows. */
  offer() {
    $("#open-email").hidden = false;
  }

  /** Signed out: the button goes, the dialog closes, and nothing of the account stays. */
  withdraw() {
    $("#open-email").hidden = true;
    if (this.#dialog.open) this.#dialog.close();
    this.#profile = null;
  }

  async #open() {
    this.#status("");
    this.#error("");
    this.#profile = null;
    this.#render();
    this.#dialog.setAttribute("aria-labelledby", "email-prefs-title");
    this.#dialog.showModal();
    if (!(await this.#load())) return;
    // The switches were held still while the account was read, so the dialog began on Close;
    // unless the climber has moved on since, the keyboard starts at the first switch they can use.
    if (this.#dialog.open && document.activeElement === $("#email-prefs-close")) {
      const first = SWITCHES.map(({ id }) => $(id)).find((box) => !box.disabled);
      if (first) first.focus();
    }
  }

  /** Read the account afresh; true when it could be read. */
  async #load() {
    this.#dialog.setAttribute("aria-busy", "true");
    try {
      this.#profile = await this.#session.request(PROFILE);
      return true;
    } catch (error) {
      this.#error(asApiError(error).message);
      return false;
    } finally {
      this.#dialog.removeAttribute("aria-busy");
      this.#render();
    }
  }

  /** The switches as the account says; both held still while unread or saving. */
  #render() {
    const profile = this.#profile;
    const preferences = (profile && profile.preferences) || {};
    const features = (profile && profile.features) || {};
    $("#email-prefs-address").textContent = (profile && profile.email) || "your account's address";
    for (const { id, preference } of SWITCHES) {
      const box = $(id);
      box.checked = Boolean(preferences[preference]);
      box.disabled = !profile || this.#saving;
    }
    // Without the weekly report in the tier the switch cannot be turned on; one left on from a
    // higher tier can still be turned off (else it would come back on with an upgrade).
    const included = Boolean(features.emailReports);
    const weekly = $("#email-weekly");
    if (profile && !included && !weekly.checked) weekly.disabled = true;
    const tierLine = $("#email-weekly-tier");
    const upgrade = shown(features.emailReportsTier);
    tierLine.textContent = upgrade
      ? `The weekly report comes with ${upgrade}.`
      : "No subscription includes the weekly report yet.";
    tierLine.hidden = !profile || included;
  }

  async #save(preference, value) {
    if (!this.#profile || this.#saving) return;
    const { email, name, preferences, version } = this.#profile;
    const wanted = SWITCHES.find((entry) => entry.preference === preference);
    this.#saving = true;
    this.#dialog.setAttribute("aria-busy", "true");
    this.#status("");
    this.#error("");
    this.#render();
    // The switch shows what was asked for while the save is under way.
    $(wanted.id).checked = value;
    try {
      this.#profile = await this.#session.request(PROFILE, "PUT", {
        email,
        name,
        preferences: { ...preferences, [preference]: value },
        version,
      });
      this.#status(`Saved. ${value ? wanted.on : wanted.off}`);
    } catch (error) {
      const refused = asApiError(error);
      if (refused.status === 409 || refused.status === 428) {
        // Changed elsewhere (another tab, the unsubscribe link) since it was read: show the
        // account as it is now and let the climber decide again.
        this.#saving = false;
        if (await this.#load()) {
          this.#error("Your settings changed elsewhere, so nothing was saved. Here they are as they are now; switch again if you still want to.");
        }
        return;
      }
      this.#error(refused.message);
    } finally {
      this.#saving = false;
      this.#dialog.removeAttribute("aria-busy");
      this.#render();
      // Keep the keyboard where the climber was (the switch was disabled while saving).
      if (this.#dialog.open && !$(wanted.id).disabled) $(wanted.id).focus();
    }
  }

  #status(message) {
    $("#email-prefs-status").textContent = message;
    $("#email-prefs-status").hidden = !message;
  }

  #error(message) {
    $("#email-prefs-error").textContent = message;
    $("#email-prefs-error").hidden = !message;
  }
}
