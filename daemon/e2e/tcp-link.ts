// A TCP link the test can cut: routed talks to Postgres or Redis through it, and `cut()` does to
// those connections what a restarted server or a lost network does (every open connection reset,
// new ones refused) without touching the real server other tests use. `restore()` lets them
// through again. Bytes are relayed unchanged; what a socket cannot take at once waits for its
// drain (Bun's write may take only part of a buffer).
import type { Socket, TCPSocketListener } from "bun";

interface Pair {
  client: Socket<Pair>;
  server: Socket<Pair> | null;
  toServer: Uint8Array[]; // waiting for the server side to connect or drain
  toClient: Uint8Array[];
}

/** Writes what the socket takes now; the rest waits in `queue` for flush() on drain. */
function send(s: Socket<Pair> | null, queue: Uint8Array[], bytes?: Uint8Array) {
  if (bytes) queue.push(new Uint8Array(bytes)); // copy: Bun reuses its read buffer
  if (!s) return;
  while (queue.length > 0) {
    const head = queue[0]!;
    const n = s.write(head);
    if (n < head.length) {
      queue[0] = head.subarray(Math.max(n, 0));
      return;
    }
    queue.shift();
  }
}

export interface TcpLink {
  readonly port: number;
  readonly url: (scheme: string, path?: string) => string;
  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  stop(): void;
}

export function tcpLink(targetHost: string, targetPort: number): TcpLink {
  const pairs = new Set<Pair>();
  let isCut = false;
  const drop = (p: Pair) => {
    pairs.delete(p);
    p.client.end();
    p.server?.end();
  };
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        if (isCut) return void client.terminate();
        const p: Pair = { client, server: null, toServer: [], toClient: [] };
        client.data = p;
        pairs.add(p);
        Bun.connect<Pair>({
          hostname: targetHost,
          port: targetPort,
          socket: {
            open(server) {
              server.data = p;
              p.server = server;
              send(server, p.toServer);
            },
            data: (_s, bytes) => send(p.client, p.toClient, bytes),
            drain: (server) => send(server, p.toServer),
            close: () => drop(p),
            error: () => drop(p),
            connectError: () => drop(p),
          },
        }).catch(() => drop(p));
      },
      data: (client, bytes) => send(client.data.server, client.data.toServer, bytes),
      drain: (client) => send(client, client.data.toClient),
      close: (client) => client.data && drop(client.data),
      error: (client) => client.data && drop(client.data),
    },
  });
  return {
    port: listener.port,
    url: (scheme, path = "") => `${scheme}://127.0.0.1:${listener.port}${path}`,
    cut() {
      isCut = true;
      for (const p of [...pairs]) {
        pairs.delete(p);
        p.client.terminate();
        p.server?.terminate();
      }
    },
    restore() {
      isCut = false;
    },
    get isCut() {
      return isCut;
    },
    stop() {
      this.cut();
      listener.stop(true);
    },
  };
}
