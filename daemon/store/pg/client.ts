// The one place a Postgres connection is made (postgres.js): bounded pool, deadlines on connecting
// and idling, server notices silenced (they are not ours to print). The URL holds the password, so
// it is never logged or shown: `maskUrl` (location.ts) is what may be.
import postgres from "postgres";

export { maskUrl } from "../location.ts";

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
