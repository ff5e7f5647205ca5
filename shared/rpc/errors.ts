// Error codes of the control socket. Every JSON-RPC error Route sends carries one of these in
// `data.code`: scripts and the TUI switch on the code, never on the message (which may change).
export const RPC_ERROR_CODES = [
  // protocol (the standard JSON-RPC numbers)
  "parse_error",
  "invalid_request",
  "method_not_found",
  "invalid_params",
  "internal_error",
  // connection
  "line_too_long",
  "batch_too_large", // more calls in one batch than the daemon takes (-32600)
  "answer_too_large", // the answer would pass the daemon's answer size bound: ask for less
  "too_many_connections",
  "daemon_unreachable", // client side: nothing listens on the socket
  "connection_lost", // client side: the daemon went away during the call
  "timeout", // client side: no answer in time
  "bad_response", // client side: the answer does not match the contract
  // upstreams and config
  "not_found",
  "duplicate_name",
  "duplicate_key", // a client key being imported has the secret (hash) of another key
  "invalid_position",
  "file_managed", // the upstream lives in upstreams.yaml and routed cannot write that file
  "file_changed", // upstreams.yaml was edited since routed last read it: reload first
  "file_invalid", // upstreams.yaml does not validate (data.problems lists why)
] as const;

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

const STANDARD: Partial<Record<RpcErrorCode, number>> = {
  parse_error: -32700,
  invalid_request: -32600,
  method_not_found: -32601,
  invalid_params: -32602,
  internal_error: -32603,
};

/** The JSON-RPC `error.code` number for a Route code: the standard ones, else -32000. */
export const jsonRpcNumber = (code: RpcErrorCode): number => STANDARD[code] ?? -32000;

/** Maps a standard JSON-RPC number back to Route's code (for errors a library made without data). */
export function codeForNumber(n: number): RpcErrorCode {
  for (const [code, num] of Object.entries(STANDARD)) if (num === n) return code as RpcErrorCode;
  return "internal_error";
}

export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "RpcError";
  }
}
