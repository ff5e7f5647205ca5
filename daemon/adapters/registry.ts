// Which adapter carries a request from the client's format to an upstream's: null when both speak
// the same format (the request passes through untouched), undefined when none can (that upstream
// cannot serve this request, and the plan leaves it out).
import { anthropicToOpenai } from "./anthropic-to-openai/index.ts";
import { compose } from "./compose.ts";
import { openaiToAnthropic } from "./openai-to-anthropic/index.ts";
import { responsesToChat } from "./responses-to-chat/index.ts";
import type { Adapter, WireFormat } from "./types.ts";

/** The client's format, from the path it called. */
export const clientFormat = (path: string): WireFormat => (path === "/v1/messages" || path.startsWith("/v1/messages/") ? "anthropic" : "openai");

/** What routing knows of an upstream's formats: its wire format, and whether it serves /v1/responses itself. */
export interface Speaks {
  target: { wire: WireFormat };
  responses?: boolean;
}

/** The format an upstream speaks (routing/target.ts: openai, azure and gemini's OpenAI endpoint speak OpenAI's). */
export const wireOf = (u: Speaks): WireFormat => u.target.wire;

const TRANSLATED: { from: WireFormat; to: WireFormat; path: string; adapter: Adapter }[] = [
  { from: "openai", to: "anthropic", path: "/v1/chat/completions", adapter: openaiToAnthropic },
  { from: "anthropic", to: "openai", path: "/v1/messages", adapter: anthropicToOpenai },
];

/** Responses clients on upstreams without /v1/responses: through Chat Completions (and on to Messages). */
const responsesToAnthropic = compose(responsesToChat, openaiToAnthropic);

export function adapterFor(client: WireFormat, upstream: Speaks, path: string): Adapter | null | undefined {
  const wire = upstream.target.wire;
  if (client === "openai" && path === "/v1/responses") {
    if (wire === "openai" && upstream.responses !== false) return null;
    return wire === "openai" ? responsesToChat : responsesToAnthropic;
  }
  if (client === wire) return null;
  return TRANSLATED.find((t) => t.from === client && t.to === wire && t.path === path)?.adapter;
}
