// Real PostgreSQL and Redis for the tests that need them. Each test file gets a fresh database
// (dropped when the run ends) and its own Redis key prefix, so files running in parallel and runs
// after one another never see each other's state.
//
//   ROUTE_TEST_PG     admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
//   ROUTE_TEST_REDIS  URL (default redis://127.0.0.1:6379)
//   ROUTE_TEST_SERVICES=require  a missing service fails the run instead of skipping (CI sets it)
import { afterAll, test } from "bun:test";
import { connect } from "node:net";
import postgres from "postgres";
import { maskUrl } from "./store/location.ts";

const PG_ADMIN = process.env.ROUTE_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PG_SHOWN = maskUrl(PG_ADMIN); // a password in ROUTE_TEST_PG stays out of test output
const REDIS_URL = process.env.ROUTE_TEST_REDIS ?? "redis://127.0.0.1:6379";
const REQUIRED = process.env.ROUTE_TEST_SERVICES === "require";

/** Can something be reached at this URL's host and port within a second? */
function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

const said = new Set<string>();
/** One line per service and file when it is missing; a failing test instead when CI requires it. */
function missing(what: string, why: string): void {
  if (REQUIRED) {
    test(`${what} is usable (ROUTE_TEST_SERVICES=require)`, () => {
      throw new Error(`${what}: ${why}`);
    });
    return;
  }
  if (said.has(what)) return;
  said.add(what);
  console.warn(`skipped: tests that need ${what}: ${why}`);
}

const PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
const REDIS_START = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/**
 * A fresh, empty database for this test file: its URL, or null (and the skip line) when Postgres is
 * not running. Call at the top level of a test file (`const pg = await testDatabase()`), then
 * `describe.skipIf(!pg)`.
 */
export async function testDatabase(): Promise<string | null> {
  if (!(await reachable(PG_ADMIN, 5432))) {
    missing("PostgreSQL", `${PG_SHOWN} not reachable; start it with \`${PG_START}\` to run them`);
    return null;
  }
  const name = `route_test_${Bun.randomUUIDv7().replaceAll("-", "").slice(-16)}`;
  const admin = postgres(PG_ADMIN, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (err) {
    // Listening but not ours to use (a password, no CREATEDB): the same as absent, said why.
    missing("PostgreSQL", `cannot create a database at ${PG_SHOWN} (${(err as Error).message}); set ROUTE_TEST_PG to an admin URL that may`);
    return null;
  } finally {
    await admin.end();
  }
  afterAll(async () => {
    const a = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
    await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await a.end();
  });
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Redis for this test file: its URL and a key prefix no other file or run uses; null when absent. */
export async function testRedis(): Promise<{ url: string; prefix: string } | null> {
  if (!(await reachable(REDIS_URL, 6379))) {
    missing("Redis", `${REDIS_URL} not reachable; start it with \`${REDIS_START}\` to run them`);
    return null;
  }
  return { url: REDIS_URL, prefix: `route-test:${Bun.randomUUIDv7().replaceAll("-", "").slice(-16)}:` };
}
