// The few lines of SSE this adapter needs: whole events in, each event's joined `data:` lines out.
// Comments (": keep-alive", OpenRouter's ": OPENROUTER PROCESSING") and events without data yield nothing.

/** Splits text into events; returns the data of each complete one and the unterminated tail. */
export function sseData(text: string): { data: string[]; rest: string } {
  const parts = text.split(/\r\n\r\n|\n\n|\r\r/);
  const rest = parts.pop() ?? "";
  const data: string[] = [];
  for (const event of parts) {
    const lines: string[] = [];
    for (const line of event.split(/\r\n|\n|\r/)) {
      if (line.startsWith("data:")) lines.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
    if (lines.length > 0) data.push(lines.join("\n"));
  }
  return { data, rest };
}

/** One Anthropic event on the wire. */
export const sseEvent = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
