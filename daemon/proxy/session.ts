// A request's session identity for affinity (routing/affinity.ts), first found wins: Claude Code's
// session header, the body's prompt_cache_key, an X-Session-Id header, the body's user (Responses:
// safety_identifier), or, when configured, a hash of the system prompt and first user message.
// Each source is tagged so that the same text from two sources is two sessions.

type Json = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function firstUser(items: unknown): unknown {
  if (typeof items === "string") return items; // Responses: `input` may be the user's text
  if (!Array.isArray(items)) return undefined;
  return items.find((m) => (m as Json | null)?.role === "user")?.content;
}

/** System prompt (chat system/developer messages, Responses instructions, Anthropic system) and first user turn. */
function promptHead(json: Json): string | null {
  const messages = Array.isArray(json.messages) ? (json.messages as (Json | null)[]) : [];
  const system = json.system ?? json.instructions ?? messages.filter((m) => m?.role === "system" || m?.role === "developer").map((m) => m!.content);
  const user = firstUser(json.messages ?? json.input);
  if (user === undefined) return null;
  return JSON.stringify([system, user]);
}

export function sessionIdentity(headers: Headers, json: Json | null, hashPrompt: boolean): string | null {
  const claude = text(headers.get("x-claude-code-session-id"));
  if (claude) return `c:${claude}`;
  const cacheKey = text(json?.prompt_cache_key);
  if (cacheKey) return `k:${cacheKey}`;
  const header = text(headers.get("x-session-id"));
  if (header) return `h:${header}`;
  const user = text(json?.user) ?? text(json?.safety_identifier);
  if (user) return `u:${user}`;
  if (!hashPrompt || !json) return null;
  const head = promptHead(json);
  return head === null ? null : `p:${Bun.hash(head)}`;
}
