// Keys read from a file or a pipe rather than from arguments, which every local user can read in
// the process list: routed's --admin-key-file, routectl's --sk-file and --sk -.
import { openSync, closeSync, fstatSync, readSync } from "node:fs";

export const MAX_SECRET_BYTES = 16 << 10; // one key; anything larger is the wrong file

/** The one key in `text` (surrounding whitespace and a final newline dropped); throws if there is none or more. */
export function oneKey(text: string, where: string): string {
  const key = text.trim();
  if (!key) throw new Error(`${where} is empty: it should hold the key`);
  if (/\s/.test(key)) throw new Error(`${where} holds more than one line or word: it should hold only the key`);
  return key;
}

/** Reads a key file; `exposed`: group or others may read it (the caller warns). */
export function readSecretFile(path: string): { key: string; exposed: boolean } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new Error(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if (st.size > MAX_SECRET_BYTES) throw new Error(`${path} is larger than ${MAX_SECRET_BYTES} bytes: it should hold only the key`);
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return { key: oneKey(buf.subarray(0, n).toString("utf8"), path), exposed: (st.mode & 0o044) !== 0 };
  } finally {
    closeSync(fd);
  }
}

/** Reads a key from a stream (stdin), at most MAX_SECRET_BYTES. */
export async function readSecretStream(stream: ReadableStream<Uint8Array>, where: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > MAX_SECRET_BYTES) throw new Error(`${where} gave more than ${MAX_SECRET_BYTES} bytes: it should give only the key`);
    chunks.push(chunk);
  }
  return oneKey(Buffer.concat(chunks).toString("utf8"), where);
}
