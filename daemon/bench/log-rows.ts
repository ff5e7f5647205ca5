// Realistic request-log rows for the log-search benchmark: chat requests and replies made of words
// drawn with a Zipf-like skew (a few words in most rows, most words rare), some rows in Chinese or
// Japanese, a few errors, streams and keys. Deterministic from the seed, so runs compare.
import type { LogRow } from "../store/types.ts";

const COMMON = "the of and to a in is it you that he was for on are with as I his they be at one have this from or had by not word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find".split(" ");
const TOPIC = "database index query latency timeout upstream gateway token model stream reply request error retry budget invoice customer order shipping payment refund password account login server deploy kubernetes docker python typescript function variable compile test failure memory cache queue worker thread socket network packet route proxy certificate domain email summary translate recipe weather travel flight hotel museum history physics chemistry biology music guitar piano football tennis marathon garden tomato coffee".split(" ");
const CJK = ["数据库查询很慢，请帮我优化索引。", "请把这段话翻译成英文。", "今天天气很好，我们去公园散步吧。", "東京の天気を教えてください。", "サーバーの応答が遅いです。", "这个错误是什么意思？上游超时了。"];
const MODELS = ["gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet", "gemini-1.5-flash", "deepseek-chat"];
const UPSTREAMS = ["openai-main", "azure-east", "anthropic", "backup"];

/** A small fast PRNG (mulberry32): the benchmark's text is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function rowMaker(seed = 1) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * r() * xs.length)]!; // skewed towards the front
  // Rare words: "w" + a number drawn from a long tail, so each appears in few rows.
  const rare = () => `w${Math.floor(1 / (r() + 1e-6)) * 7 + Math.floor(r() * 50_000)}`;
  const sentence = (n: number) => {
    const words: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = r();
      words.push(x < 0.6 ? pick(COMMON) : x < 0.9 ? pick(TOPIC) : rare());
    }
    return `${words.join(" ")}.`;
  };
  const text = (sentences: number) => (r() < 0.05 ? CJK[Math.floor(r() * CJK.length)]! : Array.from({ length: sentences }, () => sentence(6 + Math.floor(r() * 12))).join(" "));

  return (id: string, ts: number, extraReply = ""): LogRow => {
    const model = pick(MODELS);
    const up = Math.floor(r() * UPSTREAMS.length);
    const failed = r() < 0.03 && !extraReply; // a row given extra reply text answers
    const status = failed ? (r() < 0.5 ? 502 : 429) : 200;
    const prompt = text(1 + Math.floor(r() * 3));
    const reply = status === 200 ? `${text(2 + Math.floor(r() * 6))}${extraReply}` : null;
    const body = JSON.stringify({ model, stream: r() < 0.5, messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: prompt }] });
    const key = r() < 0.3 ? 1 + Math.floor(r() * 5) : null;
    const totalMs = 50 + Math.floor(r() * r() * 8000);
    return {
      id, ts, clientIp: "10.0.0.2", method: "POST", path: "/v1/chat/completions", model, stream: body.includes('"stream":true'),
      requestBody: body, requestBytes: body.length, requestTruncated: false, upstreamId: up + 1, upstreamName: UPSTREAMS[up]!, upstreamModel: null,
      plan: UPSTREAMS.slice(0, 2), attempts: [{ upstreamId: up + 1, upstream: UPSTREAMS[up]!, outcome: status === 200 ? "ok" : `http_${status}`, status, ms: totalMs }],
      status, ttfbMs: 20, ttftMs: 30, totalMs, replyText: reply, toolCalls: null, promptTokens: 40, completionTokens: 120, totalTokens: 160,
      tokensEstimated: false, errorCode: status === 200 ? null : `http_${status}`, errorMessage: null, userAgent: "bench/1", upstreamRequestId: null,
      bodiesDropped: false, keyId: key, keyName: key === null ? null : `key-${key}`, costMicros: 1200, priceSource: "estimate", cachedTokens: null,
      cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
    };
  };
}
