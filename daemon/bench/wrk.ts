// wrk as the load generator: POST bodies through post.lua, one JSON summary line parsed back.
import { join } from "node:path";

const LUA = join(import.meta.dir, "post.lua");

export interface WrkResult {
  requests: number;
  rps: number;
  errors: number; // connect/read/write/timeout errors and non-2xx answers
  p50: number; // latencies in ms
  p99: number;
  max: number;
}

export function requireWrk(): string {
  const wrk = Bun.which("wrk");
  if (!wrk) {
    process.stderr.write("bench: wrk is not installed. Install it with:\n  apt-get update && apt-get install -y wrk\n");
    process.exit(2);
  }
  return wrk;
}

export async function runWrk(o: { url: string; connections: number; seconds: number; body: string; key: string }): Promise<WrkResult> {
  const args = [requireWrk(), "-t1", `-c${o.connections}`, `-d${o.seconds}s`, "--timeout", "10s", "--latency", "-s", LUA, o.url];
  const proc = Bun.spawn(args, { env: { ...process.env, BENCH_BODY: o.body, BENCH_KEY: o.key }, stdout: "pipe", stderr: "pipe" });
  const kill = setTimeout(() => proc.kill("SIGKILL"), (o.seconds + 30) * 1000); // bounded even if wrk hangs
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(kill);
  const line = out.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`wrk gave no summary (exit ${proc.exitCode}):\n${out}\n${err}`);
  const j = JSON.parse(line.slice(11));
  return {
    requests: j.requests,
    rps: j.requests / (j.duration_us / 1e6),
    errors: j.connect + j.read + j.write + j.status + j.timeout,
    p50: j.p50_us / 1000,
    p99: j.p99_us / 1000,
    max: j.max_us / 1000,
  };
}
