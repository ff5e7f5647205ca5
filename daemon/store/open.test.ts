import { describe, expect, test } from "bun:test";
import { testDatabase } from "../test-services.ts";
import { isPostgresUrl, shownLocation } from "./location.ts";
import { openStore } from "./open.ts";

const pg = await testDatabase();

test("postgres:// and postgresql:// URLs are Postgres; anything else is a SQLite file", () => {
  for (const url of ["postgres://u@h/db", "postgresql://u:p@h:5433/db", "POSTGRES://h/db"]) expect(isPostgresUrl(url)).toBe(true);
  for (const path of ["./db.sqlite", ":memory:", "/var/lib/route/postgres://x", "postgres.sqlite"]) expect(isPostgresUrl(path)).toBe(false);
  expect(shownLocation("postgresql://u:p4ss@h/db")).toBe("postgresql://u:***@h/db");
  expect(shownLocation("./db.sqlite")).toBe("./db.sqlite");
});

test("openStore: a file path opens SQLite", async () => {
  const store = await openStore(":memory:");
  expect([store.kind, store.location, store.cluster, store.budget]).toEqual(["sqlite", ":memory:", undefined, undefined]);
  await store.close();
});

describe.skipIf(!pg)("openStore on Postgres", () => {
  test("a postgres URL opens Postgres, with the cluster and budget surfaces", async () => {
    const store = await openStore(pg!);
    expect(store.kind).toBe("postgres");
    expect(store.cluster).toBeDefined();
    expect(store.budget).toBeDefined();
    await store.close();
  });
});
