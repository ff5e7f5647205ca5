// Which adapter carries a request from the client's format to an upstream's: null when both speak
// the same format (the request passes through untouched), undefined when none can (that upstream
// cannot serve this request, and the plan leaves it out).
import { anthropicToOpenai } from "./anthropic-to-openai/index.ts";
import { openaiToAnthropic } from "./openai-to-anthropic/index.ts";
import type { Adapter, WireFormat } from "./types.ts";

/** The client's format, from the path it called. */
export const clientFormat = (path: string): WireFormat => (path === "/v1/messages" || path.startsWith("/v1/messages/") ? "anthropic" : "openai");

const TRANSLATED: { from: WireFormat; to: WireFormat; path: string; adapter: Adapter }[] = [
  { from: "openai", to: "anthropic", path: "/v1/chat/completions", adapter: openaiToAnthropic },
  { from: "anthropic", to: "openai", path: "/v1/messages", adapter: anthropicToOpenai },
];

/** The format an upstream speaks (routing/target.ts: openai, azure and gemini's OpenAI endpoint speak OpenAI's). */
export const wireOf = (u: { target: { wire: WireFormat } }): WireFormat => u.target.wire;

export function adapterFor(client: WireFormat, upstream: WireFormat, path: string): Adapter | null | undefined {
  if (client === upstream) return null;
  return TRANSLATED.find((t) => t.from === client && t.to === upstream && t.path === path)?.adapter;
}
