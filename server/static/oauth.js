// Google and Apple sign-in through the user pool's hosted UI (see server/auth/oauth.py).
//
// The buttons are plain links to /auth/oauth/{provider}: the server makes the state and the
// PKCE verifier, keeps the verifier, and sends the browser to the hosted UI. The hosted UI
// sends it back to /auth/oauth/callback?code=…&state=… (this page); `finishOAuth` takes the
// code and state out of the address bar at once (history.replaceState, so they stay in no
// history entry) and trades them for tokens with a POST — tokens never appear in a URL.

import { $, clear, h } from "./dom.js";
import { ApiError } from "./auth.js";

const CALLBACK_PATH = "/auth/oauth/callback";
// Each provider's own wording for its button.
const LABELS = { Google: "Continue with Google", SignInWithApple: "Continue with Apple" };
const FAILED = "Signing in with that provider did not work; try again.";

/** Draw a button for each provider the server offers (none: the section stays hidden). */
export async function drawProviders() {
  let providers = [];
  try {
    const response = await fetch("/auth/oauth", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.ok) providers = (await response.json()).providers || [];
  } catch {
    // No buttons when the server cannot say; the password form still works.
  }
  const offered = providers.filter((name) => Object.hasOwn(LABELS, name));
  const list = $("#oauth-buttons");
  clear(list);
  for (const name of offered) {
    list.append(h("a", {
      className: `oauth-button oauth-${name.toLowerCase()}`,
      attrs: { href: `/auth/oauth/${encodeURIComponent(name)}` },
      text: LABELS[name],
    }));
  }
  $("#oauth").hidden = offered.length === 0;
}

/**
 * When this page is the hosted UI's redirect back: clean the address bar and finish the sign-in.
 * Returns {signedIn, error}: signedIn false and error "" when the page was opened normally.
 */
export async function finishOAuth(session) {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("code");
  const state = url.searchParams.get("state");
  const error = url.searchParams.get("error");
  if (url.pathname !== CALLBACK_PATH) return { signedIn: false, error: "" };
  window.history.replaceState(null, "", "/");
  // The provider's own error text is not shown: anyone can put words in a link.
  if (error === "access_denied") return { signedIn: false, error: "Sign-in was cancelled." };
  if (error || !code || !state) return { signedIn: false, error: FAILED };
  try {
    await session.signInWithCode(code, state);
    return { signedIn: true, error: "" };
  } catch (failure) {
    return { signedIn: false, error: failure instanceof ApiError ? failure.message : FAILED };
  }
}

/** Show a failed sign-in on the sign-in screen (after it is shown). */
export function showOAuthError(message) {
  $("#auth-error").textContent = message;
  $("#auth-error").hidden = false;
}
