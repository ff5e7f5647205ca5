// LISTEN on a channel over a dedicated connection that re-listens after every loss. Not postgres.js's
// own `sql.listen`: it re-listens once when its connection closes and, if that attempt fails (the
// database is restarting), stops listening for good without telling anyone. Here a lost connection
// is retried with backoff until it listens again or is stopped, and each (re)listen is reported as
// `onEvent(null)`: notifications sent while it was down are lost, so the caller re-reads.
import { connectPg, type PgClient } from "./client.ts";

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

export async function watchChannel(url: string, channel: string, onEvent: (payload: string | null) => void): Promise<() => Promise<void>> {
  let stopped = false;
  let retrying = false;
  let wake: (() => void) | null = null;
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  const conn: PgClient = connectPg(url, {
    max: 1,
    onnotify: (ch, payload) => {
      if (ch === channel && !stopped) onEvent(payload);
    },
    onclose: () => void relisten(),
    longLived: true,
  });

  const listen = async () => {
    await conn.unsafe(`listen ${quoted}`);
    if (!stopped) onEvent(null);
  };

  async function relisten(): Promise<void> {
    if (stopped || retrying) return;
    retrying = true;
    for (let delay = RETRY_MIN_MS; !stopped; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        await listen();
        break;
      } catch {
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          wake = () => (clearTimeout(t), r());
        });
        wake = null;
      }
    }
    retrying = false;
  }

  const stop = async () => {
    stopped = true;
    wake?.();
    await conn.unsafe(`unlisten ${quoted}`).catch(() => {});
    await conn.end({ timeout: 5 });
  };
  try {
    await listen(); // the first listen fails the call: a wrong URL or a down database is the caller's to see
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
