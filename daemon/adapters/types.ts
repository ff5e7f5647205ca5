// daemon/adapters/types.ts
// A translation between the format a client speaks and the format an upstream speaks. Pure: no I/O,
// no clocks; the proxy calls it as a stage (request before the attempt, response/stream after).
export type WireFormat = "openai" | "anthropic";

/** An error in the client's format: the status and the body the client gets. */
export interface TranslatedError { status: number; body: string }

export interface StreamTranslator {
  /** Whole upstream SSE events (one or more, each ending in a blank line) → whole client events (may be ""). */
  push(events: string): string;
  /** The upstream stream ended cleanly: what the client still needs (e.g. a final usage chunk, [DONE]). */
  end(): string;
  /** The stream broke after it started: an in-band error event in the client's format, then nothing more. */
  fail(code: string, message: string): string;
}

export interface Adapter {
  readonly from: WireFormat; // the client's
  readonly to: WireFormat; // the upstream's
  /** The client's JSON request → the upstream's JSON request (model already the upstream's name). Throws a TranslatedError-bearing AdapterError when it cannot be expressed. */
  request(body: Record<string, unknown>, opts: { model: string; stream: boolean }): Record<string, unknown>;
  /** The upstream path for the client's path (e.g. "/v1/chat/completions" → "/v1/messages"). */
  path(clientPath: string): string;
  /** A whole (non-stream) upstream JSON answer → the client's JSON answer. */
  response(body: Record<string, unknown>, opts: { model: string }): Record<string, unknown>;
  /** An upstream error answer (status, parsed body or null) → the client's error envelope and status. */
  error(status: number, body: unknown): TranslatedError;
  /** A translator for one streamed answer. `includeUsage`: the client asked for usage (OpenAI's stream_options.include_usage). */
  stream(opts: { model: string; includeUsage: boolean }): StreamTranslator;
}

export class AdapterError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}
