// Where the control socket lives. routed, routectl and route-tui resolve it the same way:
// $ROUTE_SOCKET, else $XDG_RUNTIME_DIR/routed.sock (a per-user 0700 directory by spec), else
// /tmp/routed-<uid>/routed.sock (a directory routed creates 0700 and checks it owns).
import { join } from "node:path";

export type Env = Record<string, string | undefined>;

export function defaultSocketPath(env: Env, uid: number): string {
  if (env.ROUTE_SOCKET) return env.ROUTE_SOCKET;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "routed.sock");
  return join("/tmp", `routed-${uid}`, "routed.sock");
}

/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
export const MAX_SOCKET_PATH_BYTES = process.platform === "darwin" ? 103 : 107;

/** Why a socket path cannot be used, with the fix; null when it can. */
export function socketPathProblem(path: string, uid: number): string | null {
  const bytes = Buffer.byteLength(path);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return null;
  return (
    `socket path ${path} is ${bytes} bytes; unix sockets allow at most ${MAX_SOCKET_PATH_BYTES}: ` +
    `pass a shorter --socket (or ROUTE_SOCKET), e.g. /tmp/routed-${uid}/routed.sock`
  );
}
