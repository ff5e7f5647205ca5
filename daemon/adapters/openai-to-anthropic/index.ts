// OpenAI Chat Completions clients → an Anthropic Messages upstream. What is translated, refused and
// dropped is listed at the top of request.ts, response.ts and stream.ts.
import type { Adapter } from "../types";
import { toMessagesRequest } from "./request";
import { toChatCompletion, toOpenAIError } from "./response";
import { ChatChunkStream } from "./stream";

export { defaultMaxTokens, THINKING_BUDGET } from "./request";

export const openaiToAnthropic: Adapter = {
  from: "openai",
  to: "anthropic",
  request: toMessagesRequest,
  path: (clientPath) => (clientPath === "/v1/chat/completions" ? "/v1/messages" : clientPath),
  response: toChatCompletion,
  error: toOpenAIError,
  stream: ({ model, includeUsage }) => new ChatChunkStream(model, includeUsage),
};
