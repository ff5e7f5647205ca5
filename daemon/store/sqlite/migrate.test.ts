import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { renderMigrationsModule } from "../gen-migrations.ts";
import { embeddedMigrations } from "./migrate.ts";
import { openSqliteStore } from "./open.ts";
import { ROUTING_DEFAULTS } from "../types.ts";

const FOLDER = join(import.meta.dir, "../../../drizzle/sqlite");

describe("embedded migrations", () => {
  test("migrations.gen.ts is up to date with drizzle/sqlite (else: npm run db:generate)", () => {
    expect(readFileSync(join(import.meta.dir, "migrations.gen.ts"), "utf8")).toBe(renderMigrationsModule("sqlite"));
  });

  test("identical to what drizzle's folder migrator reads", () => {
    expect(embeddedMigrations()).toEqual(readMigrationFiles({ migrationsFolder: FOLDER }));
  });

  test("a fresh database gets every table and column", async () => {
    const store = openSqliteStore(":memory:");
    const u = await store.insertUpstream({ name: "x", endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true, position: 0, source: "runtime", extra: { rpm: 60 }, ...ROUTING_DEFAULTS, models: ["gpt-4o*"] });
    expect(u.models).toEqual(["gpt-4o*"]);
    expect(u.extra).toEqual({ rpm: 60 });
    await store.close();
  });
});
