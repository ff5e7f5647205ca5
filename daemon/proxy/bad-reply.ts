// A 2xx answer that is not an answer: an empty body, an HTML page (a captive portal, a reseller's
// error page), or a chat/completions body without `choices` (an error envelope sent with 200).
// api-together counts these as failures; so does Route, and fails over before committing.
// Byte checks only: the body is parsed later, off the response path, for the log.

const ANSWERING = new Set(["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/messages"]);
const WITH_CHOICES = new Set(["/v1/chat/completions", "/v1/completions"]);
const CHOICES = Buffer.from('"choices"');

function firstByte(body: Uint8Array): number {
  for (const b of body) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return -1;
}

/** Why this 2xx body is not a reply, or null when it is one (or the path is not checked). */
export function badReply(path: string, contentType: string | null, body: Uint8Array): string | null {
  if (!ANSWERING.has(path)) return null;
  if (body.length === 0 || firstByte(body) === -1) return "answered 200 with an empty body";
  if (contentType?.includes("text/html") || firstByte(body) === 0x3c) return "answered 200 with an HTML page";
  if (WITH_CHOICES.has(path) && Buffer.from(body.buffer, body.byteOffset, body.length).indexOf(CHOICES) < 0) return "answered 200 without choices";
  return null;
}
