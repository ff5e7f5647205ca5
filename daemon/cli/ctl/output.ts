// How routectl prints: tables for people (colour only on a terminal, NO_COLOR respected), JSON
// for scripts (--json), errors as one line on stderr, and the documented exit codes.
import { RpcError } from "../../../shared/rpc/errors.ts";
import { renderTable, type Column, type Style } from "../../../shared/table.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** A failure routectl explains itself (bad file to import, nothing to do, …). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly code = "failed",
  ) {
    super(message);
  }
}

export interface Output {
  json: boolean;
  color: boolean;
  width: number;
  out(text: string): void;
  err(text: string): void;
}

export function createOutput(json: boolean, stream = process.stdout, errStream = process.stderr, env = process.env): Output {
  const tty = Boolean(stream.isTTY);
  return {
    json,
    color: tty && !env.NO_COLOR && env.TERM !== "dumb",
    width: tty ? Math.max(60, Math.min(stream.columns ?? 80, 160)) : 80,
    out: (text) => void stream.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void errStream.write(text.endsWith("\n") ? text : `${text}\n`),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(o: Output, colour: Colour, text: string): string {
  return o.color ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

export function printJson(o: Output, value: unknown): void {
  o.out(JSON.stringify(value, null, 2));
}

export function printTable(o: Output, columns: Column[], rows: string[][], style?: Style): void {
  o.out(renderTable(columns, rows, { maxWidth: o.width, style: o.color ? style : undefined }));
}

/** Aligned "key  value" lines (status, show). */
export function printFields(o: Output, fields: [string, string][]): void {
  const w = Math.max(...fields.map(([k]) => k.length));
  o.out(fields.map(([k, v]) => `${paint(o, "dim", k.padEnd(w))}  ${v}`).join("\n"));
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof RpcError) return err.code === "daemon_unreachable" ? EXIT.unreachable : err.code === "invalid_params" ? EXIT.usage : EXIT.failed;
  return EXIT.failed;
}

/** One line on stderr (or a JSON object with --json), and the exit code to use. */
export function reportError(o: Output, err: unknown): number {
  const code = err instanceof RpcError || err instanceof CliError ? err.code : "internal_error";
  const message = (err as Error)?.message ?? String(err);
  if (o.json) o.err(JSON.stringify({ error: { code, message } }));
  else o.err(`routectl: ${message}`);
  return exitCodeFor(err);
}
