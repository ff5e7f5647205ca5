// Forwards an upstream body to the client chunk by chunk, pulled by the client's reads (so a slow
// reader applies backpressure instead of growing memory). Owns the stall clock and reports how
// the stream ended exactly once.

export const TIMEOUT = Symbol("timeout");
export const STALL = Symbol("stall");
export const CLIENT_GONE = Symbol("client_gone");
/** The drain deadline at shutdown ended the request (daemon stop). */
export const SHUTDOWN = Symbol("shutdown");

export type PumpEnd =
  | { kind: "done" }
  | { kind: "client_gone" }
  | { kind: "upstream_error"; code: string; message: string };

/** Thrown by a transform that must end the stream: its code and message reach the client. */
export class StreamFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PumpOptions {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Bytes already read from the upstream and not yet sent (a stream's held preamble). */
  head?: Uint8Array[];
  /** Maps each upstream chunk to what the client gets now (null: nothing yet). */
  transform?: (chunk: Uint8Array) => Uint8Array | null;
  /** What is still held when the upstream ends cleanly. */
  flush?: () => Uint8Array | null;
  /** Appended after an upstream failure (a stream's in-band error event). */
  tail?: (end: Extract<PumpEnd, { kind: "upstream_error" }>) => Uint8Array | null;
  stallMs: number;
  controller: AbortController; // aborts the upstream request
  onEnd: (end: PumpEnd) => void;
}

export function pump(o: PumpOptions): ReadableStream<Uint8Array> {
  let ended = false;
  let stall: ReturnType<typeof setTimeout> | undefined;
  const end = (e: PumpEnd) => {
    if (ended) return;
    ended = true;
    clearTimeout(stall);
    o.onEnd(e);
  };

  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        for (const h of o.head ?? []) if (h.length > 0) c.enqueue(h);
        stall = setTimeout(() => o.controller.abort(STALL), o.stallMs);
      },
      async pull(c) {
        try {
          // Read until there is something to hand over: a pull that enqueues nothing is never
          // called again (highWaterMark 0), so a read that completes no event (half an event, a
          // hidden usage chunk) must not end the pull.
          for (;;) {
            const { done, value } = await o.reader.read();
            if (ended) return;
            if (done) {
              const rest = o.flush?.();
              if (rest && rest.length > 0) c.enqueue(rest);
              c.close();
              end({ kind: "done" });
              return;
            }
            stall?.refresh();
            const out = o.transform ? o.transform(value) : value;
            if (out && out.length > 0) {
              c.enqueue(out);
              return;
            }
          }
        } catch (err) {
          if (ended) return;
          const reason = o.controller.signal.reason;
          if (reason === CLIENT_GONE) {
            end({ kind: "client_gone" });
            c.error(err);
            return;
          }
          if (err instanceof StreamFault) o.controller.abort(err); // Route ends it: the upstream call goes too
          const e: PumpEnd = err instanceof StreamFault
            ? { kind: "upstream_error", code: err.code, message: err.message }
            : reason === STALL
              ? { kind: "upstream_error", code: "upstream_stall", message: `upstream sent nothing for ${o.stallMs} ms; stream ended` }
              : reason === SHUTDOWN
                ? { kind: "upstream_error", code: "shutting_down", message: "Route is shutting down and its drain deadline passed; stream ended" }
                : { kind: "upstream_error", code: "upstream_reset", message: "upstream connection lost mid-stream" };
          const tail = o.tail?.(e);
          if (tail) c.enqueue(tail);
          c.close();
          end(e);
        }
      },
      cancel() {
        end({ kind: "client_gone" });
        o.controller.abort(CLIENT_GONE);
        o.reader.cancel().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
