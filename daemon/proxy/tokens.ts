// Local token counts for when an upstream reports no usage (some streams, some resellers). Uses a
// real BPE tokenizer (o200k_base, the GPT-4o family's); numbers are marked estimated in the log.
// Runs in the log writer's batch, never on the response path; the encoder loads on first use:
// its rank tables cost ~70 MB of RSS, which a gateway whose upstreams report usage never pays.
type Count = (text: string) => number;
let count: Count | null = null;
const countTokens: Count = (text) =>
  (count ??= (require("gpt-tokenizer/encoding/o200k_base") as typeof import("gpt-tokenizer/encoding/o200k_base")).countTokens)(text);

const PER_MESSAGE = 3; // chat format overhead per message, as OpenAI's cookbook counts it
const PER_REPLY = 3;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: any) => (typeof p?.text === "string" ? p.text : "")).join("");
  return "";
}

/** Prompt tokens of a chat / completions / responses / embeddings request body. */
export function estimatePromptTokens(body: Record<string, unknown> | null): number | null {
  if (!body) return null;
  if (Array.isArray(body.messages)) {
    let n = PER_REPLY;
    for (const m of body.messages as any[]) n += PER_MESSAGE + countTokens(textOf(m?.content)) + (m?.name ? 1 : 0);
    return n;
  }
  for (const k of ["prompt", "input"]) {
    const v = body[k];
    if (typeof v === "string") return countTokens(v);
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + countTokens(typeof x === "string" ? x : textOf(x?.content)), 0);
  }
  return null;
}

export function estimateTextTokens(text: string | null, toolCalls: unknown[] | null): number {
  let n = text ? countTokens(text) : 0;
  if (toolCalls) n += countTokens(JSON.stringify(toolCalls));
  return n;
}
