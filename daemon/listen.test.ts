import { afterAll, expect, test } from "bun:test";
import { startDaemon } from "./daemon.ts";
import { AddressInUseError, assertAddressFree, bindError, bindOrUndo } from "./listen.ts";
import { openSqliteStore } from "./store/sqlite/open.ts";

const first = await startDaemon({ hostname: "127.0.0.1", port: 0, dbPath: ":memory:", noauth: true });
afterAll(() => first.stop());

test("a second daemon on the same address (no control socket) fails to start, naming the address", async () => {
  const store = openSqliteStore(":memory:");
  let upstreamsRead = false;
  const watched = { ...store, listUpstreams: () => ((upstreamsRead = true), store.listUpstreams()) };
  const err = await startDaemon({ hostname: "127.0.0.1", port: first.port, store: watched, noauth: true }).then(
    () => null,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(AddressInUseError);
  expect(err!.message).toBe(`address 127.0.0.1:${first.port} is in use (another routed?)`);
  expect(upstreamsRead).toBe(false); // refused before the store was used
  expect((await fetch(`${first.url}/health`)).status).toBe(200);
  await store.close();
});

test("Bun.serve with reusePort false refuses a taken port; its error reads as the same reason", () => {
  let thrown: unknown;
  try {
    Bun.serve({ hostname: "127.0.0.1", port: first.port, reusePort: false, fetch: () => new Response() }).stop(true);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeDefined();
  expect((bindError(thrown, "127.0.0.1", first.port) as Error).message).toBe(`address 127.0.0.1:${first.port} is in use (another routed?)`);
  expect(bindError(new Error("permission denied"), "::1", 80)).toEqual(new Error("permission denied"));
  expect((bindError(thrown, "::1", 8888) as Error).message).toBe("address [::1]:8888 is in use (another routed?)");
});

test("assertAddressFree passes a free port and leaves it free", async () => {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  await probe.stop(true);
  assertAddressFree("127.0.0.1", port);
  const again = Bun.serve({ hostname: "127.0.0.1", port, reusePort: false, fetch: () => new Response("ok") });
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
  await again.stop(true);
});

test("a port taken between the check and the bind: the start is undone and the same reason given", async () => {
  let undone = false;
  const err = await bindOrUndo("127.0.0.1", first.port, async () => void (undone = true), () =>
    Bun.serve({ hostname: "127.0.0.1", port: first.port, reusePort: false, fetch: () => new Response() }),
  ).catch((e: Error) => e);
  expect(undone).toBe(true);
  expect(err).toBeInstanceOf(AddressInUseError);
});
