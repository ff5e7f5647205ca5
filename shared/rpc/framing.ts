// Newline-delimited JSON frames. Lines are cut on the 0x0A byte, which never occurs inside a
// UTF-8 multi-byte sequence, so chunks may split anywhere. A line longer than `maxBytes` is
// reported once and the connection is expected to close: no peer of Route sends such lines.
export const SERVER_MAX_LINE = 1 << 20; // requests are small: an upstream with its extra fields
export const CLIENT_MAX_LINE = 64 << 20; // answers can carry a logged request body and reply
export const SERVER_MAX_ANSWER = 16 << 20; // one answer line, a batch's answers together
export const SERVER_MAX_BATCH = 32; // calls in one batch

export interface LineReader {
  push(chunk: Uint8Array): void;
}

export function createLineReader(onLine: (line: string) => void, maxBytes: number, onOverflow: () => void): LineReader {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let pending = 0;
  let overflowed = false;

  const emit = (bytes: Uint8Array) => {
    let line = decoder.decode(bytes);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() !== "") onLine(line);
  };

  return {
    push(chunk) {
      if (overflowed) return;
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        if (pending + piece.length > maxBytes) return void ((overflowed = true), onOverflow());
        if (parts.length === 0) emit(piece);
        else {
          parts.push(piece);
          emit(Buffer.concat(parts));
          parts = [];
          pending = 0;
        }
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.slice(start); // copied: the caller may reuse its buffer
        pending += rest.length;
        if (pending > maxBytes) return void ((overflowed = true), onOverflow());
        parts.push(rest);
      }
    },
  };
}

export const encodeFrame = (message: unknown): string => `${JSON.stringify(message)}\n`;
