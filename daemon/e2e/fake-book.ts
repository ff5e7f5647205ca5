// What every scriptable fake upstream keeps: the behaviours queued for the next requests, what it
// received, how many requests completed or were abandoned by the proxy, how streams are delivered,
// and the waits tests use instead of sleeps. fake-upstream.ts and fake-anthropic.ts share it.
import type { Server } from "bun";
import { Wire, type NetworkOptions } from "./network.ts";

export interface Received {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
  bytes: Uint8Array; // the body exactly as received (invalid UTF-8 included)
  json: any;
}

export function createFakeBook<B extends { network?: NetworkOptions | null }>() {
  const queue: B[] = [];
  let fallback = {} as B;
  const received: Received[] = [];
  let network: NetworkOptions | null = null;
  const abortWaiters: (() => void)[] = [];
  const requestWaiters: (() => void)[] = [];
  const counts = { aborted: 0, completed: 0 };

  const book = {
    /** Counts a request the proxy abandoned (its side closed) and wakes who waits for one. */
    onAbort() {
      counts.aborted++;
      for (const w of abortWaiters.splice(0)) w();
    },
    completed() {
      counts.completed++;
    },
    /** Reads and records a request; its abandonment is counted from now on. */
    async record(req: Request): Promise<Received> {
      const url = new URL(req.url);
      const bytes = new Uint8Array(await req.arrayBuffer());
      const body = new TextDecoder().decode(bytes);
      let json: any = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      const r = { method: req.method, path: url.pathname, search: url.search, headers, body, bytes, json };
      received.push(r);
      for (const w of requestWaiters.splice(0)) w();
      req.signal.addEventListener("abort", book.onAbort, { once: true });
      return r;
    },
    /** The next queued behaviour, else the default. */
    take: (): B => queue.shift() ?? fallback,
    /** Stream delivery for a behaviour: its own cuts, reproducible from the seed and the request's position. */
    networkFor(b: B): NetworkOptions | null {
      const base = b.network === undefined ? network : b.network;
      return base && { ...base, seed: base.seed + received.length };
    },
    /** What a test drives the fake with. */
    controls: {
      received,
      /** Queue behaviours for the next requests, in order. */
      next(...b: B[]) {
        queue.push(...b);
      },
      setDefault(b: B) {
        fallback = b;
      },
      /** How stream bodies are delivered from now on: null, one burst; else split and paced (network.ts). */
      network(o: NetworkOptions | null) {
        network = o;
      },
      get aborted() {
        return counts.aborted;
      },
      get completed() {
        return counts.completed;
      },
      /** Resolves when the fake sees a request abandoned by its client (the proxy). */
      nextAbort(): Promise<void> {
        return new Promise((r) => abortWaiters.push(r));
      },
      /** Resolves when the fake receives its next request. */
      nextRequest(): Promise<void> {
        return new Promise((r) => requestWaiters.push(r));
      },
      reset() {
        queue.length = 0;
        fallback = {} as B;
        network = null;
        received.length = 0;
      },
    },
  };
  return book;
}

/** How a fake writes a streamed body: stops quietly once the proxy has cancelled. */
export interface StreamWriter {
  send(text: string): Promise<void>;
  readonly cancelled: boolean;
  /** Drops the connection mid-body. */
  reset(): void;
}

const enc = new TextEncoder();

/**
 * A response body `script` writes: each send in one burst, byte by byte (`byteByByte`), or split and
 * paced like a real network (`net`). The body closes when the script returns; a cancel counts as abandoned.
 */
export function scriptedStream(net: NetworkOptions | null, onCancel: () => void, script: (w: StreamWriter) => Promise<void>, byteByByte = false): ReadableStream<Uint8Array> {
  let cancelled = false;
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async start(c) {
      const wire = net ? new Wire(c, net, () => !cancelled) : null;
      const w: StreamWriter = {
        async send(text) {
          if (cancelled || ended) return;
          if (wire) await wire.write(enc.encode(text));
          else if (byteByByte) for (const b of enc.encode(text)) c.enqueue(new Uint8Array([b]));
          else c.enqueue(enc.encode(text));
        },
        get cancelled() {
          return cancelled;
        },
        reset() {
          ended = true;
          c.error(new Error("fake upstream: simulated mid-stream reset (expected in tests)"));
        },
      };
      try {
        await script(w);
        if (!cancelled && !ended) c.close();
      } catch {}
    },
    cancel() {
      cancelled = true;
      onCancel();
    },
  });
}

/** A fake's HTTP server on loopback, any free port, never closing an idle connection itself. */
export const serveLoopback = (fetch: (req: Request) => Response | Promise<Response>): Server<undefined> => Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch });
