// Claiming the control socket's path safely: an owner-only directory, never taking over a live
// daemon's socket, replacing the stale one a crash left behind, refusing paths the kernel would
// truncate. Every refusal says what to do.
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from "node:fs";
import { connect } from "node:net";
import { dirname } from "node:path";
import { socketPathProblem } from "../../shared/paths.ts";

export class SocketPathError extends Error {}

const uid = () => process.getuid?.() ?? 0;

function statOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Creates the directory 0700 if missing; refuses one that others could use to swap the socket. */
function ensureDirectory(dir: string): void {
  let st = statOrNull(dir);
  if (!st) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  }
  if (!st.isDirectory()) throw new SocketPathError(`${dir} is not a directory; choose another --socket`);
  if (st.uid !== uid() && st.uid !== 0) {
    throw new SocketPathError(`socket directory ${dir} belongs to uid ${st.uid}, not this user (uid ${uid()}); choose another --socket, e.g. a directory you own with mode 0700`);
  }
  const sticky = (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky) {
    throw new SocketPathError(`socket directory ${dir} is writable by other users; run \`chmod 700 ${dir}\` or choose another --socket`);
  }
}

/** True when a process accepts connections on `path`. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    // ECONNREFUSED: nobody listens (stale). EACCES: someone else's socket: treat as live, never take it.
    s.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EACCES" || err.code === "EPERM"));
  });
}

/** Makes `path` ready to listen on. Throws SocketPathError with the fix. */
export async function claimSocketPath(path: string): Promise<void> {
  const tooLong = socketPathProblem(path, uid());
  if (tooLong) throw new SocketPathError(tooLong);
  ensureDirectory(dirname(path));
  const st = statOrNull(path);
  if (!st) return;
  if (!st.isSocket()) throw new SocketPathError(`${path} exists and is not a socket; remove it or choose another --socket`);
  if (await isLive(path)) {
    throw new SocketPathError(`another routed is already listening on ${path}; stop it first, or give this one its own --socket (and --addr, --db)`);
  }
  unlinkSync(path); // stale: left by a daemon that did not stop cleanly
}

/** Runs `listen` with umask 077 so the socket is owner-only from its first moment, then makes sure. */
export async function withOwnerOnlyUmask<T>(path: string, listen: () => Promise<T>): Promise<T> {
  const old = process.umask(0o077);
  let result: T;
  try {
    result = await listen();
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o600);
  return result;
}

/** Removes the socket only if it is still the one we created (a newer daemon may own the path now). */
export function releaseSocketPath(path: string, ino: number | null): void {
  const st = statOrNull(path);
  if (st && st.isSocket() && (ino === null || st.ino === ino)) unlinkSync(path);
}
