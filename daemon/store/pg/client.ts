// The one place a Postgres connection is made (postgres.js): bounded pool, deadlines on connecting
// and idling, server notices silenced (they are not ours to print). The URL holds the password, so
// it is never logged or shown: `maskUrl` is what leaves this module.
import postgres from "postgres";

export type PgClient = postgres.Sql;

export interface PgClientOptions {
  /** Pool size (default 10): a bounded number of server connections per node. */
  max?: number;
  /** Called on each connection close (the config listener re-listens from here). */
  onclose?: (connId: number) => void;
  onnotify?: (channel: string, payload: string) => void;
  /** A connection that idles by design (LISTEN): never closed for idling or age. */
  longLived?: boolean;
}

export function connectPg(url: string, o: PgClientOptions = {}): PgClient {
  return postgres(url, {
    max: o.max ?? 10,
    connect_timeout: 10, // s: a database that does not answer fails the call, not hangs it
    idle_timeout: o.longLived ? 0 : 60, // s: idle connections go back to the server
    max_lifetime: o.longLived ? 0 : 60 * 30, // 0: never
    onnotice: () => {},
    onclose: o.onclose,
    connection: { application_name: "routed" },
    ...({ onnotify: o.onnotify } as object), // a postgres.js option its types leave out
  });
}

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

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);
