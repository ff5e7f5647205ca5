// Turns one parsed request line into the answer line, within bounds: a batch of at most `maxBatch`
// calls, run one after another, and an answer line of at most `maxAnswer` bytes. A call whose
// answer would pass the bound (alone, or with the batch's answers before it) is answered with an
// error instead, so 300 `logs.get` calls in one line cost one bounded line, not 300 MB.
import { createJSONRPCErrorResponse, type JSONRPCResponse, type JSONRPCServer } from "json-rpc-2.0";
import { codeForNumber } from "../../shared/rpc/errors.ts";

/** Every error answer carries data.code, including those the library builds itself. */
function withCode(res: JSONRPCResponse): JSONRPCResponse {
  if (res.error && typeof res.error.data?.code !== "string") res.error.data = { ...res.error.data, code: codeForNumber(res.error.code) };
  return res;
}

const idOf = (msg: unknown) => {
  const id = (msg as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
};

const encode = (res: JSONRPCResponse) => JSON.stringify(withCode(res));
const byteLength = (s: string) => Buffer.byteLength(s);

export interface AnswerLimits {
  maxBatch: number;
  maxAnswer: number;
}

export function createAnswerer<C>(rpc: JSONRPCServer<C>, limits: AnswerLimits) {
  const tooLarge = (msg: unknown, budget: number) =>
    encode(createJSONRPCErrorResponse(idOf(msg), -32000, `answer larger than ${budget} bytes; ask for less (a smaller limit, fewer calls per batch)`, { code: "answer_too_large", maxBytes: limits.maxAnswer }));

  /** One call's answer as text within `budget` bytes (an error in its place past it); null for a notification. */
  async function one(msg: unknown, conn: C, budget: number): Promise<string | null> {
    const res = Array.isArray(msg)
      ? createJSONRPCErrorResponse(null, -32600, "invalid request: a batch may not hold a batch", { code: "invalid_request" })
      : await rpc.receive(msg as never, conn);
    if (!res) return null;
    const text = encode(res);
    return byteLength(text) <= budget ? text : tooLarge(msg, limits.maxAnswer);
  }

  /** The answer line (without its newline) for one parsed message; null when nothing is answered. */
  return async function answer(msg: unknown, conn: C): Promise<string | null> {
    if (!Array.isArray(msg) || msg.length === 0) return one(msg, conn, limits.maxAnswer); // [] is the library's invalid request
    if (msg.length > limits.maxBatch) {
      return encode(createJSONRPCErrorResponse(null, -32600, `batch too large: ${msg.length} calls, at most ${limits.maxBatch} in one batch`, { code: "batch_too_large", maxBatch: limits.maxBatch }));
    }
    const parts: string[] = [];
    let used = 2; // the brackets
    for (const call of msg) {
      const text = await one(call, conn, limits.maxAnswer - used - parts.length);
      if (text === null) continue;
      parts.push(text);
      used += byteLength(text);
    }
    return parts.length === 0 ? null : `[${parts.join(",")}]`;
  };
}
