// The one error shape Route produces: OpenAI's envelope. SDKs choose their exception class from
// the status, so status and type travel together here.

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "rate_limit_error"
  | "server_error";

const TYPE_BY_STATUS: Record<number, ErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "invalid_request_error",
  405: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function errorBody(status: number, code: string, message: string): string {
  const type = TYPE_BY_STATUS[status] ?? "server_error";
  return JSON.stringify({ error: { message, type, param: null, code } });
}

export function errorResponse(status: number, code: string, message: string, headers?: Record<string, string>): Response {
  return new Response(errorBody(status, code, message), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function httpErrorResponse(e: HttpError, extra?: Record<string, string>): Response {
  return errorResponse(e.status, e.code, e.message, { ...e.headers, ...extra });
}

/** The in-band error event appended to a chat/completions stream that has already started. */
export function sseErrorEvent(code: string, message: string): string {
  return `data: ${errorBody(502, code, message)}\n\n`;
}

/** The same for a Responses API stream: its own `error` event, which its clients validate. */
export function responsesErrorEvent(code: string, message: string, sequenceNumber: number): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", code, message, param: null, sequence_number: sequenceNumber })}\n\n`;
}

/** Anthropic's error type for a status (its SDK, like OpenAI's, picks the exception from the status). */
export function anthropicErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  return status < 500 ? "invalid_request_error" : "api_error";
}

/** Anthropic's error envelope, for clients of /v1/messages. */
export function anthropicErrorBody(status: number, message: string, type = anthropicErrorType(status)): string {
  return JSON.stringify({ type: "error", error: { type, message } });
}

/** Route's own error in the envelope the client's format expects (OpenAI's, or Anthropic's on /v1/messages). */
export function errorResponseFor(format: "openai" | "anthropic", e: HttpError, extra?: Record<string, string>): Response {
  if (format === "openai") return httpErrorResponse(e, extra);
  return new Response(anthropicErrorBody(e.status, `${e.message} (${e.code})`), { status: e.status, headers: { "content-type": "application/json", ...e.headers, ...extra } });
}
