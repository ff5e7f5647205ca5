// One routed per address. Without SO_REUSEPORT the kernel refuses a second listener on the same
// address; with it, it would split connections between two daemons without a word. Route never
// sets it (Bun's default is off today; it is spelled out so a changed default cannot turn it on),
// and a second routed stops with a plain message before it opens the database.

export class AddressInUseError extends Error {}

const shown = (hostname: string, port: number) => (hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`);

/** The error Bun's bind throws, as routed's one-line reason; other errors pass unchanged. */
export function bindError(err: unknown, hostname: string, port: number): unknown {
  const code = (err as { code?: string } | null)?.code;
  if (code !== "EADDRINUSE" && !/in use/i.test((err as Error)?.message ?? "")) return err;
  return new AddressInUseError(`address ${shown(hostname, port)} is in use (another routed?)`);
}

/** Throws AddressInUseError when something listens on the address already (port 0 always passes). */
export function assertAddressFree(hostname: string, port: number): void {
  if (port === 0) return;
  try {
    Bun.listen({ hostname, port, exclusive: true, socket: { data() {} } }).stop(true);
  } catch (err) {
    throw bindError(err, hostname, port);
  }
}

/** Binds; when the bind fails, undoes what the start did so far and throws the bind's reason. */
export async function bindOrUndo<T>(hostname: string, port: number, undo: () => Promise<void>, bind: () => T): Promise<T> {
  try {
    return bind();
  } catch (err) {
    await undo();
    throw bindError(err, hostname, port);
  }
}
