// A fresh PostgreSQL database for one bench run (dropped at the end), and its row count.
import postgres from "postgres";

export async function benchDatabase(adminUrl: string) {
  const name = `route_bench_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    async rows(): Promise<number> {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      const [r] = await sql`SELECT count(*)::int AS n FROM request_logs`;
      await sql.end();
      return r!.n as number;
    },
    async exec(statement: string): Promise<void> {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql.unsafe(statement);
      await sql.end();
    },
    async drop(): Promise<void> {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}
