import { anthropicError, anthropicErrorType } from "../adapters/anthropic-to-openai/shared.ts";

// The error shapes Route produces: OpenAI's envelope (Anthropic's on /v1/messages). SDKs choose their exception class from
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

/** Route's own error in the envelope the client's format expects (OpenAI's, or Anthropic's on /v1/messages). */
export function errorResponseFor(format: "openai" | "anthropic", e: HttpError, extra?: Record<string, string>): Response {
  if (format === "openai") return httpErrorResponse(e, extra);
  return new Response(anthropicError(anthropicErrorType(e.status), `${e.message} (${e.code})`), { status: e.status, headers: { "content-type": "application/json", ...e.headers, ...extra } });
}
