// How much of a request and its reply the request log keeps (`log.capture`, and per client key
// `log_capture`): everything, bodies cut to a size, or metadata only. One parser for the config
// file, the control socket and routectl, so the forms and messages are the same everywhere.
import { z } from "zod";
import { parseSize } from "./size.ts";

export type Capture = { mode: "full" } | { mode: "truncate"; bytes: number } | { mode: "metadata" };

const FORMS = 'must be full, metadata or truncate:<size> (such as "truncate:4KiB")';

/** "full", "metadata", "truncate:4KiB" → a Capture; null when it is none of them. */
export function parseCapture(text: string): Capture | null {
  const t = text.trim().toLowerCase();
  if (t === "full" || t === "metadata") return { mode: t };
  const m = /^truncate:(.+)$/.exec(t);
  const bytes = m ? parseSize(m[1]!) : null;
  return bytes !== null && bytes > 0 ? { mode: "truncate", bytes } : null;
}

export function formatCapture(c: Capture): string {
  return c.mode === "truncate" ? `truncate:${c.bytes}` : c.mode;
}

/** The text form, checked (what the key's column and the socket hold). */
export const captureTextSchema = z.string().refine((v) => parseCapture(v) !== null, { message: FORMS });
