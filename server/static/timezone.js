// The climber's time zone, taken from the browser, so that "today" and "yesterday" in the chat
// are the climber's days rather than UTC's. A new account is created with it (the sign-up
// body's `timezone`); an account without one gets it at sign-in, or when a tab restores its
// session, through PUT /users/profile. A zone already on the account (chosen with
// `/profile timezone …`, or taken earlier) is never replaced.

const TIMEOUT_MS = 5_000;

/** The browser's IANA time zone ("Australia/Sydney"), or null when it does not say. */
export function browserTimeZone() {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof zone === "string" && zone ? zone : null;
  } catch {
    return null;
  }
}

async function profileRequest(method, accessToken, body) {
  const response = await fetch("/users/profile", {
    method,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      Accept: "application/json",
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
    cache: "no-store",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: response.status, data: response.ok ? await response.json() : null };
}

/**
 * Give the signed-in account the browser's time zone if it has none. Best effort and never
 * throws: when it fails the account keeps no zone (dates read as UTC) and the climber can set
 * one with `/profile timezone …`. Resolves to the account's zone afterwards, or null.
 */
export async function adoptBrowserTimeZone(accessToken) {
  const zone = browserTimeZone();
  if (!zone || !accessToken) return null;
  try {
    // Twice at most: a 409 means another tab changed the account since it was read.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const read = await profileRequest("GET", accessToken);
      const account = read.data;
      if (!account) return null;
      if (account.preferences && account.preferences.timezone) return account.preferences.timezone;
      const written = await profileRequest("PUT", accessToken, {
        email: account.email,
        name: account.name || "",
        preferences: { ...account.preferences, timezone: zone },
        version: account.version,
      });
      if (written.data) return written.data.preferences.timezone || null;
      if (written.status !== 409) return null; // e.g. 422: a zone this server does not know
    }
  } catch {
    // Offline, timed out or refused: signing in goes on without it.
  }
  return null;
}
