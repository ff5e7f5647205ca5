// The control server's bounds, against a real unix socket: batch size, answer size (alone and a
// batch's together), and a client that never reads its answers.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "../log.ts";
import { rawConnection, shortTempDir } from "../e2e/control-harness.ts";
import { startControlServer, type ControlServerOptions, type Handlers } from "./server.ts";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** logs.get answers a row whose reply is `size` bytes: "big-<size>" as the id asks. */
const handlers = {
  "logs.get": ({ id }: { id: string }) => ({ id, replyText: "x".repeat(Number(id.split("-")[1])) }),
  "daemon.status": () => ({ ok: true }),
} as unknown as Handlers;

async function start(opts: Partial<ControlServerOptions> = {}) {
  const path = join(shortTempDir(), "c.sock");
  const server = await startControlServer({ path, handlers, log: createLogger("error", () => {}), ...opts });
  servers.push(server);
  return { path, server };
}
const call = (id: number, size: number) => ({ jsonrpc: "2.0", id, method: "logs.get", params: { id: `big-${size}-padding` } });
const line = (msg: unknown) => `${JSON.stringify(msg)}\n`;

test("a batch over 32 calls is refused whole with -32600 batch_too_large; the connection stays usable", async () => {
  const { path } = await start();
  const raw = await rawConnection(path);
  raw.send(line(Array.from({ length: 300 }, (_, i) => call(i, 10))));
  const refused = await raw.next();
  expect(refused).toMatchObject({ id: null, error: { code: -32600, data: { code: "batch_too_large", maxBatch: 32 } } });
  expect(refused.error.message).toContain("batch too large");
  raw.send(line(Array.from({ length: 32 }, (_, i) => call(i, 10))));
  expect((await raw.next()).map((r: any) => r.id)).toEqual(Array.from({ length: 32 }, (_, i) => i));
  raw.close();
});

test("an answer over the bound becomes an error answer; a batch's answers count together", async () => {
  const { path } = await start({ maxAnswerBytes: 64 << 10 });
  const raw = await rawConnection(path);
  raw.send(line(call(1, 100 << 10)));
  expect(await raw.next()).toMatchObject({ id: 1, error: { code: -32000, data: { code: "answer_too_large", maxBytes: 64 << 10 } } });
  raw.send(line(Array.from({ length: 10 }, (_, i) => call(i, 20 << 10))));
  const batch: any[] = await raw.next();
  expect(batch.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(batch.slice(0, 3).every((r) => r.result?.replyText.length === 20 << 10)).toBe(true);
  expect(batch.slice(3).every((r) => r.error?.data.code === "answer_too_large")).toBe(true);
  expect(JSON.stringify(batch).length).toBeLessThanOrEqual(64 << 10);
  raw.send(line(call(99, 10)));
  expect((await raw.next()).result.replyText).toBe("x".repeat(10)); // still connected
  raw.close();
});

test("a client that sends calls and never reads is closed past the outgoing byte bound", async () => {
  let warned!: (fields: unknown) => void;
  const closedForNotReading = new Promise((r) => (warned = r));
  const log = { ...createLogger("error", () => {}), warn: (_msg: string, fields?: Record<string, unknown>) => warned(fields) };
  const { path, server } = await start({ maxBufferedBytes: 256 << 10, log });
  const raw = await rawConnection(path);
  raw.socket.pause(); // never reads: answers pile up in the kernel, then in routed
  raw.send(Array.from({ length: 200 }, (_, i) => line(call(i, 50 << 10))).join(""));
  const fields = (await closedForNotReading) as { buffered: number };
  expect(fields.buffered).toBeLessThanOrEqual(256 << 10);
  raw.socket.resume(); // what was sent before the close arrives, then the close
  await raw.closed();
  expect(server.connections).toBe(0);
});
