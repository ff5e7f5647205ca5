// One-line structured logs on stderr (logfmt): journald keeps them as-is and they grep well.
// Callers pass fields, never secrets: keys do not reach this module.
export type Level = "debug" | "info" | "warn" | "error";
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function value(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === "string" ? v : JSON.stringify(v);
  return /^[\w.:/@+-]+$/.test(s ?? "") ? s! : JSON.stringify(s);
}

export function createLogger(min: Level = "info", write: (line: string) => void = (l) => process.stderr.write(l)) {
  const log = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < RANK[min]) return;
    let line = `ts=${new Date().toISOString()} level=${level} msg=${value(msg)}`;
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${value(v)}`;
    write(line + "\n");
  };
  return {
    debug: (msg: string, f?: Record<string, unknown>) => log("debug", msg, f),
    info: (msg: string, f?: Record<string, unknown>) => log("info", msg, f),
    warn: (msg: string, f?: Record<string, unknown>) => log("warn", msg, f),
    error: (msg: string, f?: Record<string, unknown>) => log("error", msg, f),
  };
}

export type Logger = ReturnType<typeof createLogger>;
export const silentLogger: Logger = createLogger("error", () => {});
