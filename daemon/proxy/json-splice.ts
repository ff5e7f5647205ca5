// Edits a JSON body in place, at the byte level: finds an object's members without parsing their
// values, so a change to one member leaves every other byte as the client sent it (big integers,
// 1e999, invalid UTF-8 inside strings, whitespace, key order). Iterative, so depth costs nothing.
// Meant for bodies JSON.parse already accepted; anything unexpected gives null, never a guess.

export interface Span {
  start: number;
  end: number; // exclusive
}

export interface Member {
  key: Span; // the quoted key, quotes included
  value: Span;
}

export interface ObjectScan {
  open: number; // index of `{`
  close: number; // index of `}`
  members: Member[];
}

export interface Edit extends Span {
  bytes: Uint8Array; // replaces [start, end); start === end inserts
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const decoder = new TextDecoder();

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Uint8Array, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** From the opening quote to just past the closing one; -1 if unterminated. */
function skipString(b: Uint8Array, i: number): number {
  for (i++; i < b.length; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** From the first byte of a value to just past it; -1 if it does not end well. */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    // Strings skipped, brackets counted: nesting needs no stack (JSON.parse already checked pairing).
    let depth = 0;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === OPEN_OBJ || d === OPEN_ARR) depth++;
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) depth--;
      i++;
      if (depth === 0) return i;
    }
    return -1;
  }
  const start = i;
  while (i < b.length && !isSpace(b[i]) && b[i] !== COMMA && b[i] !== CLOSE_OBJ && b[i] !== CLOSE_ARR) i++;
  return i > start ? i : -1;
}

/** The members of the object whose `{` is at `at`, in order; null if it is not one. */
export function scanObject(b: Uint8Array, at: number): ObjectScan | null {
  if (b[at] !== OPEN_OBJ) return null;
  const members: Member[] = [];
  let i = skipSpace(b, at + 1);
  if (b[i] === CLOSE_OBJ) return { open: at, close: i, members };
  for (;;) {
    if (b[i] !== QUOTE) return null;
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return null;
    const key = { start: i, end: keyEnd };
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return null;
    i = skipSpace(b, i + 1);
    const valueEnd = skipValue(b, i);
    if (valueEnd < 0) return null;
    members.push({ key, value: { start: i, end: valueEnd } });
    i = skipSpace(b, valueEnd);
    if (b[i] === CLOSE_OBJ) return { open: at, close: i, members };
    if (b[i] !== COMMA) return null;
    i = skipSpace(b, i + 1);
  }
}

/** The body's top-level object (a UTF-8 BOM allowed, as TextDecoder drops it); null if the top level is anything else. */
export function scanTopObject(b: Uint8Array): ObjectScan | null {
  const bom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const o = scanObject(b, skipSpace(b, bom));
  return o && skipSpace(b, o.close + 1) === b.length ? o : null;
}

function keyText(b: Uint8Array, key: Span): string {
  const inner = b.subarray(key.start + 1, key.end - 1);
  if (!inner.includes(BACKSLASH)) return decoder.decode(inner);
  try {
    return JSON.parse(decoder.decode(b.subarray(key.start, key.end))) as string; // "mod\u0065l" is "model"
  } catch {
    return ""; // not a key JSON.parse accepted: matches no name
  }
}

/** The member JSON.parse would keep for `name`: the last one of that name. */
export function lastMember(b: Uint8Array, o: ObjectScan, name: string): Member | undefined {
  for (let k = o.members.length - 1; k >= 0; k--) {
    const m = o.members[k]!;
    if (keyText(b, m.key) === name) return m;
  }
  return undefined;
}

/** An edit that adds `"name":json` as the object's last member, leaving the whitespace before `}` in place. */
export function appendMember(o: ObjectScan, name: string, json: string): Edit {
  const last = o.members.at(-1);
  const at = last ? last.value.end : o.open + 1;
  return { start: at, end: at, bytes: Buffer.from(`${last ? "," : ""}${JSON.stringify(name)}:${json}`) };
}

/** Applies non-overlapping edits; every byte outside them is copied as it was. */
export function splice(b: Uint8Array, edits: readonly Edit[]): Uint8Array {
  const sorted = [...edits].sort((x, y) => x.start - y.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error("overlapping body edits");
    parts.push(b.subarray(at, e.start), e.bytes);
    at = e.end;
  }
  parts.push(b.subarray(at));
  return new Uint8Array(Buffer.concat(parts));
}
