// Two adapters in a row: the client's format → a middle one → the upstream's. A Responses client on
// an Anthropic upstream goes Responses → Chat Completions → Messages, each step an adapter tested on
// its own; the middle format never leaves Route.
import type { Adapter, StreamTranslator } from "./types.ts";

export function compose(outer: Adapter, inner: Adapter): Adapter {
  return {
    from: outer.from,
    to: inner.to,
    path: (p) => inner.path(outer.path(p)),
    request: (body, opts) => inner.request(outer.request(body, opts), opts),
    response: (body, opts) => outer.response(inner.response(body, opts), opts),
    error(status, body) {
      const mid = inner.error(status, body);
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(mid.body);
      } catch {}
      return outer.error(mid.status, parsed);
    },
    stream(opts): StreamTranslator {
      // The middle stream always carries usage: the outer translator reports it as its format does.
      const i = inner.stream({ model: opts.model, includeUsage: true });
      const o = outer.stream(opts);
      return {
        push: (events) => o.push(i.push(events)),
        end: () => o.push(i.end()) + o.end(),
        fail: (code, message) => o.fail(code, message),
      };
    },
  };
}
