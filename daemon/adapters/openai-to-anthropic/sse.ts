// A tiny parser for whole SSE events (the proxy hands push() complete events): the `event:` name and
// the joined `data:` lines of each. Comments and other fields are ignored, as the SSE spec says.
export interface SseEvent { event: string; data: string }

export function parseEvents(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const raw of text.split(/\r?\n\r?\n/)) {
    let event = "";
    const data: string[] = [];
    for (const line of raw.split(/\r?\n/)) {
      if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      else if (line.startsWith("event:")) event = line.slice(6).trim();
    }
    if (data.length > 0) out.push({ event, data: data.join("\n") });
  }
  return out;
}
