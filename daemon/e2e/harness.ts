// Starts the real daemon (in-process, real sockets on loopback) against fake upstreams, with the
// official openai SDK as the client.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { configFileSchema } from "../config/schema.ts";
import { startDaemon, type DaemonOptions } from "../daemon.ts";

export const CLIENT_KEY = "route-test-client-key";

// Any field upstreams.yaml takes (models, rpm, weight, …): validated by the real schema below.
type RawUpstream = { name?: string; sk: string; endpoint: string; [field: string]: unknown };

/** Upstreams and config are given as they would be written in upstreams.yaml, and validated the same way. */
export async function startRoute(upstreams: RawUpstream[], opts: Partial<Omit<DaemonOptions, "config">> & { config?: Record<string, unknown> } = {}) {
  const daemon = await startDaemon({
    hostname: "127.0.0.1",
    port: 0,
    dbPath: ":memory:",
    logFlushMs: 10,
    // A Postgres store's spool and crash journal default to the working directory (the service's
    // state directory): tests keep them in a directory of their own, never in the checkout.
    ...(opts.store?.kind === "postgres" && opts.spoolDir === undefined ? { spoolDir: mkdtempSync(join(tmpdir(), "route-spool-")) } : {}),
    ...opts,
    config: configFileSchema.parse({ authorization: CLIENT_KEY, ...opts.config, upstreams }),
  });
  const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${daemon.url}/v1`, maxRetries: 0, timeout: 30_000 });
  /** All log rows, once the writer has flushed everything finished so far. */
  const rows = async () => {
    await daemon.writer.drain();
    return (await daemon.store.listLogs(10_000)).reverse();
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${daemon.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { daemon, client, rows, post, url: daemon.url, stop: () => daemon.stop() };
}

export type Route = Awaited<ReturnType<typeof startRoute>>;

export const chatBody = <const T extends object = {}>(extra?: T) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "hi" }],
  ...(extra as T),
});

/** Response JSON, untyped: tests assert on its shape. */
export const json = async (res: Response): Promise<any> => res.json();
