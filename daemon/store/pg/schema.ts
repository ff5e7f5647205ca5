// The Postgres schema (drizzle-kit reads this file: drizzle/drizzle.pg.config.ts), split by concern.
export * from "./schema-config.ts";
export * from "./schema-logs.ts";
export * from "./schema-cluster.ts";
export * from "./schema-rollup.ts";
