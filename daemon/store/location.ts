// What a --db / ROUTE_DB value names, and how it may be shown. No driver imports here: a SQLite
// node never loads the Postgres driver.

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** The URL with its password replaced: safe for logs, `daemon.status` and errors. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/** A location as it may be shown: a URL's password masked, a file path as given. */
export const shownLocation = (location: string) => (isPostgresUrl(location) ? maskUrl(location) : location);
