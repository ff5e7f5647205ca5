// Delivers a fake upstream's response bytes the way a real network does: in pieces cut at random
// offsets (mid-line, inside a UTF-8 sequence, between CR and LF, between the two line ends of an
// event), with a pause after each piece so the proxy sees them as separate reads. Loopback writes
// made in one burst arrive in one read, which is how "an upstream read with nothing to forward"
// went untested. Seeded: the same seed cuts the same bytes the same way.

import { seededRandom } from "../../shared/random.ts";

export interface NetworkOptions {
  seed: number;
  maxPiece?: number; // bytes; default 48
  paceMs?: number; // longest pause after a piece; default 20
}

/** One seed per test run (ROUTE_NET_SEED reproduces a run); tests name it so a failure shows it. */
export const RUN_SEED = Number(process.env.ROUTE_NET_SEED) || Math.floor(Math.random() * 0x7fffffff) + 1;

export const testNetwork = (seed = RUN_SEED): NetworkOptions => ({ seed, maxPiece: 128, paceMs: 20 });

/** A cut before byte `i` that parsers get wrong: inside a UTF-8 sequence, CR|LF, LF|LF. */
function tricky(b: Uint8Array, i: number): boolean {
  const c = b[i]!;
  return (c & 0xc0) === 0x80 || (c === 10 && (b[i - 1] === 13 || b[i - 1] === 10));
}

/** `bytes` cut into pieces of 1..maxPiece bytes; a tricky offset is cut one time in three. */
export function cut(bytes: Uint8Array, rand: () => number, maxPiece: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (let i = 1; i < bytes.length; i++) {
    if (i - from >= maxPiece || (tricky(bytes, i) && rand() < 1 / 3) || rand() < 2 / maxPiece) {
      out.push(bytes.subarray(from, i));
      from = i;
    }
  }
  if (from < bytes.length) out.push(bytes.subarray(from));
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Writes into a response body stream as pieces, paced; stops quietly once `live()` is false. */
export class Wire {
  private readonly rand: () => number;
  private readonly maxPiece: number;
  private readonly paceMs: number;

  constructor(
    private readonly c: ReadableStreamDefaultController<Uint8Array>,
    o: NetworkOptions,
    private readonly live: () => boolean,
  ) {
    this.rand = seededRandom(o.seed);
    this.maxPiece = o.maxPiece ?? 48;
    this.paceMs = o.paceMs ?? 20;
  }

  /** Resolves once every piece is handed over, each followed by a pause: a timer turn, and one time in four up to paceMs. */
  async write(bytes: Uint8Array): Promise<void> {
    for (const piece of cut(bytes, this.rand, this.maxPiece)) {
      if (!this.live()) return;
      this.c.enqueue(piece.slice());
      await this.pause();
    }
  }

  pause(ms = this.rand() < 0.25 ? this.rand() * this.paceMs : 0): Promise<void> {
    return sleep(ms);
  }
}

/** A recorded response body replayed as is; `cut` ends it early, after `at` bytes (once `until` has settled). */
export interface Replay {
  sse: Uint8Array;
  cut?: { at: number; how: "reset" | "stall"; until?: Promise<unknown> };
}

const USAGE_ONLY = /"choices":\s*\[\]/;

/**
 * The body in the segments a real upstream sends apart: a usage-only event (what Route hides
 * from a client that did not ask for usage) comes alone, after the text and the finish chunk.
 */
export function segments(sse: Uint8Array): Uint8Array[] {
  const text = Buffer.from(sse).toString("latin1"); // one character a byte: indices are byte offsets
  const out: Uint8Array[] = [];
  let from = 0;
  for (const m of text.matchAll(/[^]*?(?:\r?\n\r?\n|$)/g)) {
    if (m[0].length === 0 || !USAGE_ONLY.test(m[0])) continue;
    if (m.index > from) out.push(sse.subarray(from, m.index));
    out.push(sse.subarray(m.index, m.index + m[0].length));
    from = m.index + m[0].length;
  }
  if (from < sse.length) out.push(sse.subarray(from));
  return out;
}

/** The replay's body stream; `network` null: all bytes in one write (burst). */
export function replayBody(r: Replay, network: NetworkOptions | null, onCancel: () => void): ReadableStream<Uint8Array> {
  let cancelled = false;
  const body = r.cut ? r.sse.subarray(0, r.cut.at) : r.sse;
  return new ReadableStream<Uint8Array>({
    async start(c) {
      const wire = network ? new Wire(c, network, () => !cancelled) : null;
      if (wire) {
        for (const seg of segments(body)) {
          await wire.write(seg);
          await wire.pause(network!.paceMs ?? 20); // the upstream's own pacing between segments
        }
      } else if (body.length > 0) c.enqueue(body.slice());
      await r.cut?.until;
      if (cancelled) return;
      if (r.cut?.how === "reset") c.error(new Error("fake upstream: simulated mid-stream reset (expected in tests)"));
      else if (!r.cut) c.close();
      // "stall": the connection stays open and silent until the proxy gives up.
    },
    cancel() {
      cancelled = true;
      onCancel();
    },
  });
}

/** The body with every line end made CRLF (some upstreams frame SSE that way). */
export function crlf(sse: Uint8Array): Uint8Array {
  return new TextEncoder().encode(new TextDecoder().decode(sse).replace(/\r?\n/g, "\r\n"));
}
