// Session affinity end to end (issue 15): three weighted upstreams, 20 sessions of 10 turns through
// the openai SDK; one upstream starts failing and only its sessions move, for good.
import { beforeAll, describe, expect, test } from "bun:test";
import { seededRandom } from "../../shared/random.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import type { Route } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A", "B", "C");
let fakes: FakeUpstream[];
beforeAll(() => void (fakes = [...suite.upstreams]));

const SESSIONS = 20;
const TURNS = 10;

/** Every answer reports 100 prompt tokens, 80 of them read from the provider's cache. */
function answerWithCache(f: FakeUpstream, status = 200) {
  const usage = { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 80 } };
  const body = { id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: f.name }, finish_reason: "stop" }], usage };
  f.setDefault(status === 200 ? { body } : { status });
}

/** One turn of session `s`: half the sessions say who they are with prompt_cache_key, half with X-Session-Id. */
async function turn(r: Route, s: number): Promise<string> {
  const messages = [{ role: "user" as const, content: `turn of session ${s}` }];
  const c = s % 2 === 0
    ? await r.client.chat.completions.create({ model: "gpt-4o-mini", messages, prompt_cache_key: `session-${s}` })
    : await r.client.chat.completions.create({ model: "gpt-4o-mini", messages }, { headers: { "X-Session-Id": `session-${s}` } });
  return c.choices[0]!.message.content!;
}

/** `TURNS` turns of every session, the sessions side by side: who answered each session, in turn order. */
async function converse(r: Route): Promise<string[][]> {
  const answers: string[][] = Array.from({ length: SESSIONS }, () => []);
  for (let t = 0; t < TURNS; t++) {
    const got = await Promise.all(Array.from({ length: SESSIONS }, (_, s) => turn(r, s)));
    got.forEach((who, s) => answers[s]!.push(who));
  }
  return answers;
}

const metric = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l)).reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);

describe("session affinity through the daemon", () => {
  test("each session stays on one upstream; a failing upstream moves only its sessions, which then stay", async () => {
    for (const f of fakes) answerWithCache(f);
    const r = await suite.route(
      fakes.map((f) => ({ name: f.name, endpoint: f.url, weight: 1 })),
      // The breaker never ejects here, so every turn of a moved session tries its old upstream first.
      { config: { strategy: "weighted", health: { min_failures: 1000 } }, random: seededRandom(15) },
    );
    const first = await converse(r);
    const home = first.map((answers) => {
      expect(new Set(answers).size).toBe(1);
      return answers[0]!;
    });
    expect(new Set(home).size).toBe(3); // sessions still spread over the weighted upstreams

    const failing = "B";
    answerWithCache(fakes[1]!, 500);
    const second = await converse(r);
    const movedSessions = home.flatMap((h, s) => (h === failing ? [s] : []));
    expect(movedSessions.length).toBeGreaterThan(0);
    for (let s = 0; s < SESSIONS; s++) {
      expect(new Set(second[s]).size).toBe(1); // one new upstream, kept for every later turn
      if (home[s] === failing) expect(second[s]![0]).not.toBe(failing);
      else expect(second[s]![0]).toBe(home[s]!);
    }
    // B saw the first failing turn of its sessions only: after the move, they no longer try it.
    const bTries = fakes[1]!.received.length - home.filter((h) => h === failing).length * TURNS;
    expect(bTries).toBe(movedSessions.length);

    // The log: affinity chose the upstream on every turn but a session's first and the turn that moved it.
    const rows = await r.rows();
    expect(rows).toHaveLength(2 * SESSIONS * TURNS);
    expect(rows.filter((x) => !x.affinity)).toHaveLength(SESSIONS + movedSessions.length);
    expect(rows.filter((x) => x.status === 200)).toHaveLength(rows.length);
    expect(rows.filter((x) => x.cachedTokens === 80)).toHaveLength(rows.length);

    const text = await (await fetch(`${r.url}/metrics`)).text();
    expect(metric(text, /^route_affinity_total\{result="miss"\}/)).toBe(SESSIONS);
    expect(metric(text, /^route_affinity_total\{result="hit"\}/)).toBe(2 * SESSIONS * TURNS - SESSIONS);
    expect(metric(text, /^route_affinity_total\{result="moved"\}/)).toBe(movedSessions.length);
    expect(metric(text, /^route_affinity_sessions /)).toBe(SESSIONS);
    expect(metric(text, /^route_tokens_total\{.*kind="cached"/)).toBe(80 * rows.length);

    const { daemon } = r;
    const stats = daemon.stats.snapshot(daemon.pool, 0, { limits: daemon.limits, health: daemon.health });
    expect(stats.sessions).toBe(SESSIONS);
    expect(stats.upstreams.map((u) => u.cachedRatio)).toEqual([0.8, 0.8, 0.8]);
  });

  test("affinity: off: a session's turns follow the strategy", async () => {
    for (const f of fakes) answerWithCache(f);
    const r = await suite.route(fakes.map((f) => ({ name: f.name, endpoint: f.url })), { config: { strategy: "round-robin", affinity: "off" } });
    const answers = [await turn(r, 0), await turn(r, 0), await turn(r, 0)];
    expect(new Set(answers).size).toBe(3);
    const rows = await r.rows();
    expect(rows.every((x) => x.affinity === false)).toBe(true);
    expect(r.daemon.router.sessions()).toBe(0);
  });
});
