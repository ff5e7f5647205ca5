// The control socket: JSON-RPC 2.0 over a unix socket, one JSON message per line, notifications
// for subscriptions. A client can only hurt its own connection: bad JSON gets an error answer,
// an over-long line or a reader too slow for its answers and notifications closes that
// connection, and nothing here throws into the daemon. What one connection costs is bounded: a
// line (SERVER_MAX_LINE), calls under way (reading pauses past them), an answer
// (SERVER_MAX_ANSWER, see answer.ts) and the bytes waiting to be sent (maxBufferedBytes).
import { lstatSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createJSONRPCErrorResponse, JSONRPCServer } from "json-rpc-2.0";
import type { z } from "zod";
import { methods, type MethodName, type ParsedParams } from "../../shared/rpc/contract.ts";
import { jsonRpcNumber, RpcError } from "../../shared/rpc/errors.ts";
import { createLineReader, encodeFrame, SERVER_MAX_ANSWER, SERVER_MAX_BATCH, SERVER_MAX_LINE } from "../../shared/rpc/framing.ts";
import { createAnswerer } from "./answer.ts";
import type { Logger } from "../log.ts";
import { claimSocketPath, releaseSocketPath, withOwnerOnlyUmask } from "./socket-file.ts";

export interface Connection {
  readonly id: number;
  /** Sends a notification; false when the connection is gone. */
  notify(method: string, params: unknown): boolean;
  /** Runs when the connection closes (subscriptions end with it). */
  onClose(fn: () => void): void;
}

export type Handler<M extends MethodName> = (params: ParsedParams<M>, conn: Connection) => Promise<z.input<(typeof methods)[M]["result"]>> | z.input<(typeof methods)[M]["result"]>;
export type Handlers = { [M in MethodName]: Handler<M> };

export interface ControlServerOptions {
  path: string;
  handlers: Handlers;
  log: Logger;
  maxConnections?: number;
  /** Unsent bytes a connection may accumulate (a client that stopped reading) before it is closed. */
  maxBufferedBytes?: number;
  /** Largest answer line; a call past it is answered with answer_too_large. */
  maxAnswerBytes?: number;
  maxBatch?: number;
  /** Calls of one connection under way at once; reading pauses past it. */
  maxPendingCalls?: number;
}

function paramsError(method: string, issues: z.core.$ZodIssue[]): RpcError {
  const problems = issues.map((i) => {
    const field = i.code === "unrecognized_keys" ? i.keys.join(", ") : i.path.join(".") || "params";
    return `${field}: ${i.code === "unrecognized_keys" ? "unknown field" : i.message}`;
  });
  return new RpcError("invalid_params", `invalid params for ${method}: ${problems.join("; ")}`, { problems });
}

function createDispatcher(handlers: Handlers, log: Logger) {
  const rpc = new JSONRPCServer<Connection>({ errorListener: () => {} });
  for (const name of Object.keys(methods) as MethodName[]) {
    rpc.addMethod(name, async (raw: unknown, conn: Connection) => {
      const parsed = methods[name].params.safeParse(raw ?? {});
      if (!parsed.success) throw paramsError(name, parsed.error.issues);
      return (handlers[name] as Handler<MethodName>)(parsed.data as never, conn);
    });
  }
  rpc.handleMethodNotFound = async (req) =>
    req.id === undefined ? null : createJSONRPCErrorResponse(req.id, -32601, `unknown method ${JSON.stringify(req.method)}; methods: ${Object.keys(methods).join(", ")}`, { code: "method_not_found" });
  rpc.mapErrorToJSONRPCErrorResponse = (id, err) => {
    if (err instanceof RpcError) return createJSONRPCErrorResponse(id, jsonRpcNumber(err.code), err.message, { ...err.data, code: err.code });
    log.error("control method failed", { err });
    return createJSONRPCErrorResponse(id, -32603, `internal error: ${(err as Error)?.message ?? err}`, { code: "internal_error" });
  };
  return rpc;
}

export async function startControlServer(opts: ControlServerOptions) {
  const { log } = opts;
  const maxConnections = opts.maxConnections ?? 64;
  const maxAnswer = opts.maxAnswerBytes ?? SERVER_MAX_ANSWER;
  const maxBuffered = opts.maxBufferedBytes ?? maxAnswer + (8 << 20); // room for one largest answer
  const maxPending = opts.maxPendingCalls ?? 16;
  const rpc = createDispatcher(opts.handlers, log);
  const answer = createAnswerer(rpc, { maxBatch: opts.maxBatch ?? SERVER_MAX_BATCH, maxAnswer });
  const sockets = new Set<Socket>();
  let nextId = 1;

  function serve(socket: Socket) {
    const sendLine = (frame: string) => {
      if (socket.destroyed || !socket.writable) return false;
      if (socket.writableLength + frame.length > maxBuffered) {
        log.warn("control client is not reading; closing its connection", { buffered: socket.writableLength });
        socket.destroy();
        return false;
      }
      socket.write(frame);
      return true;
    };
    const send = (msg: unknown) => sendLine(encodeFrame(msg));
    if (sockets.size >= maxConnections) {
      send(createJSONRPCErrorResponse(null, -32000, `too many control connections (${maxConnections}); close some and retry`, { code: "too_many_connections" }));
      socket.end();
      return;
    }
    sockets.add(socket);
    const closers: (() => void)[] = [];
    const conn: Connection = { id: nextId++, notify: (method, params) => send({ jsonrpc: "2.0", method, params }), onClose: (fn) => void closers.push(fn) };

    const handleLine = async (line: string) => {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        return send(createJSONRPCErrorResponse(null, -32700, "parse error: each line must be one JSON-RPC 2.0 message", { code: "parse_error" }));
      }
      try {
        const text = await answer(msg, conn);
        if (text !== null) sendLine(`${text}\n`);
      } catch (err) {
        log.error("control dispatch failed", { err }); // not expected: the dispatcher maps method errors itself
      }
    };
    // Lines wait here while `maxPending` calls are under way, and the socket stops reading, so a
    // client that sends faster than it is answered holds at most one read's worth of lines.
    const waiting: string[] = [];
    let pending = 0;
    const pump = () => {
      while (pending < maxPending && waiting.length > 0) {
        pending++;
        void handleLine(waiting.shift()!).finally(() => {
          pending--;
          pump();
        });
      }
      if (waiting.length > 0) socket.pause();
      else if (socket.isPaused()) socket.resume();
    };
    const reader = createLineReader(
      (line) => {
        waiting.push(line);
        pump();
      },
      SERVER_MAX_LINE,
      () => {
        send(createJSONRPCErrorResponse(null, -32600, `line longer than ${SERVER_MAX_LINE} bytes; closing the connection`, { code: "line_too_long" }));
        socket.end();
      },
    );
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("error", (err) => log.debug("control connection error", { err })); // abrupt disconnects
    socket.on("close", () => {
      sockets.delete(socket);
      for (const fn of closers.splice(0)) fn();
    });
  }

  await claimSocketPath(opts.path);
  const server: Server = createServer(serve);
  server.on("error", (err) => log.error("control socket error", { err }));
  await withOwnerOnlyUmask(opts.path, () => new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.path, () => {
      server.off("error", reject);
      resolve();
    });
  }));
  const ino = lstatSync(opts.path).ino;
  log.info("control socket listening", { socket: opts.path });

  return {
    path: opts.path,
    get connections() {
      return sockets.size;
    },
    /** Stops accepting, closes every connection, removes the socket file. */
    async close(): Promise<void> {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      releaseSocketPath(opts.path, ino);
    },
  };
}

export type ControlServer = Awaited<ReturnType<typeof startControlServer>>;
