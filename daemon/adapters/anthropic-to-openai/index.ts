// Anthropic-format clients (the Anthropic SDK, Claude Code) in front of an OpenAI Chat Completions upstream.
// `includeUsage` does not apply: Anthropic streams always report usage.
import { AdapterError, type Adapter } from "../types.ts";
import { translateError } from "./shared.ts";
import { toChatRequest } from "./request.ts";
import { toMessage } from "./response.ts";
import { ChunkToMessageStream } from "./stream.ts";

export { anthropicError, anthropicErrorType } from "./shared.ts";

export const anthropicToOpenai: Adapter = {
  from: "anthropic",
  to: "openai",
  request: toChatRequest,
  // Claude Code calls "/v1/messages?beta=true": the query means nothing to an OpenAI upstream.
  path(clientPath) {
    if (clientPath.split("?")[0] === "/v1/messages") return "/v1/chat/completions";
    throw new AdapterError(404, "not_found", `${clientPath.split("?")[0]} has no OpenAI Chat Completions equivalent`);
  },
  response: toMessage,
  error: translateError,
  stream: (opts) => new ChunkToMessageStream(opts.model),
};
