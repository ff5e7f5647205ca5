// The lifecycle each e2e file shares: fake upstreams started once for the file and reset after each
// test, and routes started by `route()` and stopped after each test.
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "bun:test";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { startRoute, type Route } from "./harness.ts";
import { RUN_SEED, testNetwork, type NetworkOptions } from "./network.ts";

export type RouteOptions = Parameters<typeof startRoute>[1];

export type Delivery = "burst" | "network";

/**
 * Registers `body` twice: with the fakes sending stream bodies in one burst, and split at random
 * offsets and paced like a real network (network.ts). The network run's name carries the seed:
 * ROUTE_NET_SEED=<seed> reproduces a failure. `fakes` is read in hooks, once they have started.
 */
export function eachDelivery(fakes: () => { network(o: NetworkOptions | null): void }[], body: (mode: Delivery) => void): void {
  for (const mode of ["burst", "network"] as const) {
    describe(mode === "burst" ? "burst" : `network seed=${RUN_SEED}`, () => {
      beforeEach(() => {
        for (const f of fakes()) f.network(mode === "network" ? testNetwork() : null);
      });
      body(mode);
    });
  }
}

/**
 * Registers the hooks; `upstreams` (named as given, in order) is filled in beforeAll, so read it in
 * hooks and tests. `route` gives each upstream without an `sk` the key `sk-<name>-secret-key`.
 */
export function e2eSuite<const N extends readonly string[]>(...names: N) {
  const started: FakeUpstream[] = [];
  const upstreams = started as unknown as { -readonly [K in keyof N]: FakeUpstream }; // one per name
  const routes: Route[] = [];
  beforeAll(async () => {
    started.push(...(await Promise.all(names.map((n) => startFakeUpstream(n)))));
  });
  afterEach(async () => {
    for (const u of started) u.reset();
    await Promise.all(routes.splice(0).map((r) => r.stop()));
  });
  afterAll(() => {
    for (const u of started) u.stop();
  });
  return {
    upstreams,
    /** eachDelivery over this suite's fakes. */
    eachDelivery: (body: (mode: Delivery) => void) => eachDelivery(() => started, body),
    async route(ups: Record<string, unknown>[], opts: RouteOptions = {}): Promise<Route> {
      const r = await startRoute(ups.map((u) => ({ sk: `sk-${u.name}-secret-key`, ...u })) as Parameters<typeof startRoute>[0], opts);
      routes.push(r);
      return r;
    },
  };
}
