// OpenAI Responses API clients (Codex CLI, the openai SDK's responses.create, the AI SDK's responses model)
// in front of an upstream that speaks only Chat Completions. The registry keys it by path ("/v1/responses").
// What is mapped, refused and dropped is listed at the top of request.ts, response.ts and stream.ts.
// `includeUsage` does not apply: Responses streams always report usage, so the request always asks for it.
import { AdapterError, type Adapter } from "../types.ts";
import { toChatRequest } from "./request.ts";
import { toResponse } from "./response.ts";
import { translateError } from "./shared.ts";
import { ChunkToResponseStream } from "./stream.ts";

export const responsesToChat: Adapter = {
  from: "openai",
  to: "openai",
  request: toChatRequest,
  path(clientPath) {
    if (clientPath.split("?")[0] === "/v1/responses") return "/v1/chat/completions";
    throw new AdapterError(404, "not_found", `${clientPath.split("?")[0]} has no Chat Completions equivalent`);
  },
  response: toResponse,
  error: translateError,
  stream: (opts) => new ChunkToResponseStream(opts.model),
};
