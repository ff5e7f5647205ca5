// drizzle-kit config for the Postgres schema: `npm run db:generate` writes its migrations to drizzle/pg.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./daemon/store/pg/schema.ts",
  out: "./drizzle/pg",
});
