// Helpers for control-socket tests: short socket paths (sun_path is ~107 bytes), a typed client,
// and a raw line-level connection for protocol abuse.
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { createRpcClient } from "../../shared/rpc/client.ts";
import { RpcError } from "../../shared/rpc/errors.ts";

/** A fresh owner-only directory under /tmp (mkdtemp makes it 0700), short enough for sockets. */
export const shortTempDir = (prefix = "rt-") => mkdtempSync(join("/tmp", prefix));

export async function rpcClient(socketPath: string) {
  const client = createRpcClient({ socketPath, callTimeoutMs: 10_000 });
  await client.connect();
  return client;
}

/** The RpcError a promise rejects with (fails the test if it resolves). */
export async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  }
  throw new Error("expected an RPC error");
}

/** A raw connection: write any bytes, read JSON lines as they come. */
export async function rawConnection(socketPath: string) {
  const socket: Socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const lines: any[] = [];
  const waiters: (() => void)[] = [];
  let buf = "";
  let closed = false;
  socket.on("data", (d) => {
    buf += d.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  return {
    socket,
    send: (text: string | Uint8Array) => socket.write(text),
    /** The next message (in arrival order). */
    async next(): Promise<any> {
      while (lines.length === 0) {
        if (closed) throw new Error("connection closed");
        await new Promise<void>((r) => waiters.push(r));
      }
      return lines.shift();
    },
    /** Resolves when the daemon closes the connection. */
    async closed(): Promise<void> {
      while (!closed) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => socket.destroy(),
  };
}
