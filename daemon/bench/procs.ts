// Child processes of the benchmark: servers started with a raised open-files limit, their readiness
// line, their resident memory, and a clean stop.
import type { Subprocess } from "bun";
import { readFileSync, readdirSync } from "node:fs";

export const BUN = process.execPath;
// Raise the soft limit as far as allowed: 65536 where the hard limit permits, else the hard limit.
const RAISE = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
export const withFdLimit = (cmd: string[]) => ["bash", "-c", RAISE, "bench", ...cmd];

/** The open-files limit children get. */
export function childFdLimit(): number {
  const r = Bun.spawnSync(["bash", "-c", RAISE, "bench", "bash", "-c", "ulimit -n"]);
  return Number(r.stdout.toString().trim());
}

export interface Server {
  name: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  pid: number;
  port: number;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number>;
}

/** Starts a server and waits (bounded) until a line of its output names its port. */
export async function startServer(name: string, cmd: string[], env: Record<string, string>, portLine: RegExp, timeoutMs = 20_000): Promise<Server> {
  const proc = Bun.spawn(withFdLimit(cmd), { env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let out = "";
  let found: (port: number) => void;
  const ready = new Promise<number>((r) => (found = r));
  const read = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    for await (const chunk of s) {
      if (out.length < 1 << 20) out += dec.decode(chunk, { stream: true });
      const m = portLine.exec(out);
      if (m) found(Number(m[1]));
    }
  };
  void read(proc.stdout);
  void read(proc.stderr);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const port = await Promise.race([
    ready,
    proc.exited.then((code) => Promise.reject(new Error(`${name} exited (${code}) before listening:\n${out}`))),
    new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${name} did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (proc.exitCode === null) proc.kill(signal);
    const t = setTimeout(() => proc.kill("SIGKILL"), 60_000);
    const code = await proc.exited;
    clearTimeout(t);
    return code;
  };
  return { name, proc, pid: proc.pid, port, output: () => out, stop };
}

/** Resident set size of a process, in bytes (0 once it is gone). */
export function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const HZ = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** CPU time a process has used so far (user + system, all threads), in µs; 0 once it is gone. */
export function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 on: state is f[0]
    return ((Number(f[11]) + Number(f[12])) * 1e6) / HZ; // utime (14), stime (15)
  } catch {
    return 0;
  }
}

export const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** Samples the RSS of some processes every 50 ms while a piece of work runs; returns the peaks. */
export async function peakRss<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; peaks: number[] }> {
  const peaks = pids.map(rss);
  const t = setInterval(() => pids.forEach((p, i) => (peaks[i] = Math.max(peaks[i]!, rss(p)))), 50);
  try {
    const result = await work();
    return { result, peaks };
  } finally {
    clearInterval(t);
  }
}
