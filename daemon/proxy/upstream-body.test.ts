import { describe, expect, test } from "bun:test";
import { createContext } from "./context.ts";
import { HttpError } from "./openai-error.ts";
import { needsUsageInjection, upstreamBodies } from "./upstream-body.ts";

const dec = new TextDecoder();
const keepBom = new TextDecoder("utf-8", { ignoreBOM: true });
const bytes = (s: string | number[]) => (typeof s === "string" ? new Uint8Array(Buffer.from(s)) : new Uint8Array(s));

/** A request as body.ts leaves it: the client's bytes and what JSON.parse made of them. */
function ctxFor(body: Uint8Array, stream: boolean, path = "/v1/chat/completions") {
  const ctx = createContext(new Request(`http://route${path}`, { method: "POST" }), new URL(`http://route${path}`), "t");
  ctx.body = body;
  const parsed = JSON.parse(dec.decode(body));
  ctx.json = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  ctx.model = typeof ctx.json?.model === "string" ? (ctx.json.model as string) : null;
  ctx.stream = stream;
  ctx.usageInjected = needsUsageInjection(ctx);
  return ctx;
}

/** The body Route sends: `model` mapped to `to` when given; usage asked for when `stream`. */
function edit(body: string | Uint8Array, o: { to?: string; stream?: boolean } = {}): string {
  const ctx = ctxFor(typeof body === "string" ? bytes(body) : body, o.stream ?? false);
  return keepBom.decode(upstreamBodies(ctx, o.to !== undefined)(o.to ?? null)!);
}

function refusal(body: string, o: { to?: string; stream?: boolean }): HttpError {
  try {
    edit(body, o);
  } catch (e) {
    return e as HttpError;
  }
  throw new Error("expected a refusal");
}

describe("upstream body: surgical edits", () => {
  const S = { stream: true };
  test.each([
    // [name, body, options, exact bytes sent]
    ["model mapped, big integer and 1e999 kept", '{"model":"a","seed":12345678901234567891,"x":1e999}', { to: "b" }, '{"model":"b","seed":12345678901234567891,"x":1e999}'],
    ["whitespace and key order kept", '\n{ "x" : [ 1 ,2 ] ,\t"model"  :  "a" }\n', { to: "b" }, '\n{ "x" : [ 1 ,2 ] ,\t"model"  :  "b" }\n'],
    ["duplicate model: the last (the one JSON.parse keeps) is edited", '{"model":"a","model":"c"}', { to: "b" }, '{"model":"a","model":"b"}'],
    ["escaped key counts as model", '{"mod\\u0065l":"a"}', { to: "b" }, '{"mod\\u0065l":"b"}'],
    ["model name is JSON-escaped", '{"model":"a"}', { to: 'we"ird\\' }, '{"model":"we\\"ird\\\\"}'],
    ["strings holding braces, quotes and keys are skipped", '{"s":"}{\\"model\\":1","model":"a"}', { to: "b" }, '{"s":"}{\\"model\\":1","model":"b"}'],
    ["nested model members are not the request's model", '{"meta":{"model":"x"},"model":"a"}', { to: "b" }, '{"meta":{"model":"x"},"model":"b"}'],
    ["stream_options added after the last member", '{"model":"a","stream":true , "n":1e999 }', S, '{"model":"a","stream":true , "n":1e999,"stream_options":{"include_usage":true} }'],
    ["stream_options null replaced", '{"stream":true,"stream_options":null}', S, '{"stream":true,"stream_options":{"include_usage":true}}'],
    ["stream_options with other members: include_usage added", '{"stream_options":{ "x" : 1 } }', S, '{"stream_options":{ "x" : 1,"include_usage":true } }'],
    ["empty stream_options", '{"stream_options":{ }}', S, '{"stream_options":{"include_usage":true }}'],
    ["include_usage false edited alone", '{"stream_options":{"include_usage":false,"y":2}}', S, '{"stream_options":{"include_usage":true,"y":2}}'],
    ["include_usage null edited", '{"stream_options":{"include_usage" : null}}', S, '{"stream_options":{"include_usage" : true}}'],
    ["duplicate stream_options: the last is edited", '{"stream_options":null,"stream_options":{"a":1}}', S, '{"stream_options":null,"stream_options":{"a":1,"include_usage":true}}'],
    ["duplicate include_usage: the last is edited", '{"stream_options":{"include_usage":true,"include_usage":false}}', S, '{"stream_options":{"include_usage":true,"include_usage":true}}'],
    ["both edits at once", '{"model":"a","stream":true}', { to: "b", stream: true }, '{"model":"b","stream":true,"stream_options":{"include_usage":true}}'],
    ["a BOM stays", "\uFEFF{\"model\":\"a\"}", { to: "b" }, "\uFEFF{\"model\":\"b\"}"],
    ["deep nesting is skipped, not recursed", `{"x":${"[".repeat(200_000)}${"]".repeat(200_000)},"model":"a"}`, { to: "b" }, `{"x":${"[".repeat(200_000)}${"]".repeat(200_000)},"model":"b"}`],
  ] as [string, string, { to?: string; stream?: boolean }, string][])("%s", (_name, body, o, sent) => {
    expect(edit(body, o)).toBe(sent);
  });

  test("invalid UTF-8 inside strings stays byte for byte", () => {
    const body = new Uint8Array([...bytes('{"m":"'), 0xff, 0xc3, 0x22, ...bytes(',"model":"a","z":"'), 0xed, 0xa0, 0x80, ...bytes('"}')]);
    const ctx = ctxFor(body, true);
    const out = upstreamBodies(ctx, true)("b")!;
    const expected = new Uint8Array([...bytes('{"m":"'), 0xff, 0xc3, 0x22, ...bytes(',"model":"b","z":"'), 0xed, 0xa0, 0x80, ...bytes('","stream_options":{"include_usage":true}}')]);
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
  });

  test("nothing to change: the client's own bytes object", () => {
    const ctx = ctxFor(bytes('{"model":"a"}'), false);
    expect(upstreamBodies(ctx, false)(null)).toBe(ctx.body);
    expect(edit('{"stream":true,"stream_options":{"include_usage":true}}', { stream: true })).toBe('{"stream":true,"stream_options":{"include_usage":true}}');
  });

  test("a top level that is not an object is never rewritten", () => {
    const ctx = ctxFor(bytes('[{"model":"a"}]'), true);
    expect(upstreamBodies(ctx, true)("b")).toBe(ctx.body);
  });

  test.each([
    ['{"stream_options":"yes"}', "stream_options must be an object or null"],
    ['{"stream_options":[]}', "stream_options must be an object or null"],
    ['{"stream_options":{"include_usage":1}}', "stream_options.include_usage must be a boolean"],
  ])("what cannot be edited exactly is refused with 400: %s", (body, message) => {
    const e = refusal(body, { stream: true });
    expect(e).toBeInstanceOf(HttpError);
    expect([e.status, e.code, e.message]).toEqual([400, "invalid_request", message]);
  });
});

// ---- property test: random documents, an independent oracle built from the same pieces ----

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Raw = number[];
interface RawMember {
  key: Raw;
  name: string;
  value: Raw;
  sub?: RawObject; // the value, when it is an object the oracle may edit
}
interface RawObject {
  lead: Raw; // whitespace after `{`
  members: { pre: Raw; m: RawMember; mid: [Raw, Raw] }[]; // pre: whitespace and comma before the key
  tail: Raw; // whitespace before `}`
}

const b = (s: string): Raw => [...Buffer.from(s)];

function generator(random: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const ws = () => b(pick(["", "", " ", "\n", "\t", "\r\n  "]));
  const STRING_BITS: Raw[] = [b("a"), b("Z9"), b('\\"'), b("\\\\"), b("\\n"), b("\\u00e9"), b("\\ud83d\\ude00"), b("é😀"), [0xff], [0xc3], [0x80], [0xed, 0xa0, 0x80], b("{[,:]}")];
  const NUMBERS = ["0", "-1", "12345678901234567891", "1e999", "-0.0", "3.14159265358979323846264338327950288", "1E+2", "2e-400"];
  const str = (): Raw => [0x22, ...Array.from({ length: Math.floor(random() * 4) }, () => pick(STRING_BITS)).flat(), 0x22];
  const value = (depth: number): Raw => {
    const r = random();
    if (depth > 3 || r < 0.3) return pick([() => str(), () => b(pick(NUMBERS)), () => b(pick(["true", "false", "null"]))])();
    if (r < 0.6) return [0x5b, ...ws(), ...Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1)).flatMap((v, i) => [...(i ? [...ws(), 0x2c, ...ws()] : []), ...v]), ...ws(), 0x5d];
    return render(object(depth + 1, []));
  };
  const member = (name: string, raw: string, v: Raw, sub?: RawObject): RawMember => ({ key: b(raw), name, value: v, sub });
  function object(depth: number, special: RawMember[]): RawObject {
    const plain = Array.from({ length: Math.floor(random() * 4) }, () => member("", `"k${Math.floor(random() * 1e6)}"`, value(depth)));
    const all = [...plain, ...special].sort(() => random() - 0.5);
    return { lead: ws(), members: all.map((m, i) => ({ pre: i ? [...ws(), 0x2c, ...ws()] : [], m, mid: [ws(), ws()] })), tail: ws() };
  }
  const modelKey = () => pick(['"model"', '"mod\\u0065l"', '"\\u006dodel"']);
  function streamOptions(): RawMember {
    const r = random();
    if (r < 0.2) return member("stream_options", '"stream_options"', b("null"));
    if (r < 0.25) return member("stream_options", '"stream_options"', b('"bad"'));
    const iu = Array.from({ length: Math.floor(random() * 3) }, () => member("include_usage", '"include_usage"', b(pick(["true", "false", "null", "false", "1"]))));
    const sub = object(2, iu);
    return member("stream_options", '"stream_options"', render(sub), sub);
  }
  return () => {
    const special = [
      ...Array.from({ length: Math.floor(random() * 3) }, () => member("model", modelKey(), str())),
      ...Array.from({ length: Math.floor(random() * 3) }, streamOptions),
    ];
    return object(0, special);
  };
}

function render(o: RawObject, edit?: (m: RawMember) => Raw | undefined, append?: Raw): Raw {
  const out: Raw = [0x7b];
  if (append && o.members.length === 0) out.push(...append);
  out.push(...o.lead);
  for (const { pre, m, mid } of o.members) out.push(...pre, ...m.key, ...mid[0], 0x3a, ...mid[1], ...(edit?.(m) ?? m.value));
  if (append && o.members.length > 0) out.push(0x2c, ...append);
  return [...out, ...o.tail, 0x7d];
}

const lastNamed = (o: RawObject, name: string) => o.members.findLast((x) => x.m.name === name)?.m;

/** The bytes Route must send, from the pieces: the oracle, independent of json-splice.ts. */
function expectedBytes(o: RawObject, to: string | null, usage: boolean): Raw | "refused" {
  const model = to === null ? undefined : lastNamed(o, "model");
  const so = usage ? lastNamed(o, "stream_options") : undefined;
  let soValue: Raw | undefined;
  if (so) {
    if (so.sub) {
      const iu = lastNamed(so.sub, "include_usage");
      if (iu && dec.decode(new Uint8Array(iu.value)) === "1") return "refused";
      soValue = iu ? render(so.sub, (m) => (m === iu ? b("true") : undefined)) : render(so.sub, undefined, b('"include_usage":true'));
    } else if (dec.decode(new Uint8Array(so.value)) === "null") soValue = b('{"include_usage":true}');
    else return "refused";
  }
  const edit = (m: RawMember) => (m === model ? b(JSON.stringify(to)) : m === so ? soValue : undefined);
  return render(o, edit, usage && !so ? b('"stream_options":{"include_usage":true}') : undefined);
}

describe("upstream body: property over random documents", () => {
  test("only the edited members change; JSON.parse gives the expected object", () => {
    const random = rng(20_261_129);
    const doc = generator(random);
    let edited = 0;
    for (let n = 0; n < 3000; n++) {
      const o = doc();
      const body = new Uint8Array(render(o));
      const stream = random() < 0.6;
      const ctx = ctxFor(body, stream);
      const to = ctx.model !== null && random() < 0.7 ? `mapped-${n}-"é` : null;
      const want = expectedBytes(o, to, ctx.usageInjected);
      let got: Uint8Array | null;
      try {
        got = upstreamBodies(ctx, to !== null)(to);
      } catch (e) {
        expect({ n, refused: (e as HttpError).status }).toEqual({ n, refused: 400 });
        expect(want).toBe("refused");
        continue;
      }
      expect(want).not.toBe("refused");
      expect({ n, sent: Buffer.from(got!).toString("latin1") }).toEqual({ n, sent: Buffer.from(want as Raw).toString("latin1") });
      const expectedObject: Record<string, unknown> = { ...ctx.json };
      if (to !== null) expectedObject.model = to;
      if (ctx.usageInjected) expectedObject.stream_options = { ...(ctx.json!.stream_options as object | null), include_usage: true };
      expect(JSON.parse(dec.decode(got!))).toEqual(expectedObject);
      if (got !== body) edited++;
    }
    expect(edited).toBeGreaterThan(1000); // the generator does exercise the edits
  });
});
