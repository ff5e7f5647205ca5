// drizzle-kit config (runs under Node): `npm run db:generate` writes SQL migrations next to this file.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./daemon/store/sqlite/schema.ts",
  out: "./drizzle/sqlite",
});
