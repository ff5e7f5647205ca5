// The Logs screen's search against a fake routed: `/` asks routed (logs.query with `search` and
// the filters), results come a page at a time as the cursor moves past the last one, the header
// names the search and the filters, and Esc goes back to the live tail.
import { afterEach, describe, expect, test } from "bun:test";
import { binding } from "../test/binding.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { makeLog, makeUpstream } from "../test/fixtures.ts";
import { renderApp, type Harness } from "../test/harness.tsx";
import { SEARCH_PAGE } from "../hooks/use-log-search.ts";

let h: Harness;
afterEach(() => h?.unmount());

const selected = () => h.text().split("\n").find((l) => l.startsWith("›"))?.trimEnd() ?? "";
const at = (n: number) => () => selected().endsWith(`needle number ${n}`);
/** logs.query calls with a search (the live tail behind keeps its own backfill queries). */
const searches = () => h.fake.calls.filter((c) => c.method === "logs.query" && c.params.search).map((c) => c.params);

async function start() {
  const logs = [
    ...Array.from({ length: SEARCH_PAGE + 20 }, (_, i) => makeLog({ replyText: `needle number ${i}`, status: i % 10 === 0 ? 502 : 200 })),
    ...Array.from({ length: 5 }, (_, i) => makeLog({ replyText: `only hay ${i}` })),
  ];
  const fake = createFakeClient({ upstreams: [makeUpstream({ id: 1, name: "up1" })], logs });
  h = await renderApp({ fake });
  await h.press("2");
  await h.waitFor("LIVE");
  return logs;
}

describe("search", () => {
  test(`${binding("logs", "filterModel")}: cycles through the models seen, for the tail and the search`, async () => {
    await start();
    h.fake.emitLog(makeLog({ model: "zeta-1", replyText: "needle from zeta" }));
    await h.waitFor("needle from zeta");
    await h.press("m");
    await h.waitFor("filter: model gpt-4o-mini");
    expect(h.fake.calls.filter((c) => c.method === "logs.subscribe").at(-1)!.params).toEqual({ model: "gpt-4o-mini" });
    await h.press("m");
    await h.waitFor("filter: model zeta-1");
    await h.press("/");
    await h.type("needle");
    await h.press("enter");
    await h.waitFor('SEARCH "needle"  1 found  filter: model zeta-1');
    expect(searches().at(-1)).toEqual({ search: "needle", model: "zeta-1", limit: SEARCH_PAGE });
    await h.press("m");
    await h.waitFor(() => !h.text().includes("filter:"));
  });

  test(`${binding("logs", "search")}, ${binding("prompt", "submit")}, ${binding("prompt", "cancel")}, ${binding("prompt", "clear")}, ${binding("logs", "clearSearch")}`, async () => {
    await start();
    await h.press("/");
    await h.waitFor("search:");
    await h.type("Needle");
    await h.press("enter");
    await h.waitFor(`SEARCH "Needle"  ${SEARCH_PAGE} found, more below`);
    expect(searches().at(-1)).toEqual({ search: "Needle", limit: SEARCH_PAGE });
    expect(selected()).toContain(`needle number ${SEARCH_PAGE + 19}`); // newest at the top, selected
    expect(h.text()).not.toContain("only hay");
    await h.press("/");
    await h.type("q1"); // typed into the prompt, not global keys
    await h.press("escape");
    await h.waitFor(() => !h.text().includes("search:"));
    expect(h.text()).toContain('SEARCH "Needle"');
    await h.press("/");
    await h.press("ctrl+u");
    await h.type("hay");
    await h.press("enter");
    await h.waitFor('SEARCH "hay"  5 found');
    await h.press("escape");
    await h.waitFor("LIVE");
    expect(h.text()).not.toContain("SEARCH");
  });

  test("moving past the last result loads the next page with routed's cursor", async () => {
    const logs = await start();
    await h.press("/");
    await h.type("needle");
    await h.press("enter");
    await h.waitFor(`${SEARCH_PAGE} found, more below`);
    for (let i = 1; i <= 5; i++) {
      await h.press("pagedown"); // 18 rows a page at 80×24: row 90 of 100 after five
      await h.waitFor(at(SEARCH_PAGE + 19 - 18 * i));
    }
    expect(searches()).toHaveLength(1);
    await h.press("pagedown"); // past the last row
    await h.waitFor(`SEARCH "needle"  ${SEARCH_PAGE + 20} found`);
    expect(at(20)()).toBe(true);
    expect(searches().at(-1)).toEqual({ search: "needle", before: logs[20]!.id, limit: SEARCH_PAGE });
    await h.press("down");
    await h.waitFor(at(19));
    expect(h.text()).not.toContain("more below");
    await h.press("end");
    await h.waitFor(at(0));
  });

  test(`filters apply to the search and show in the header; ${binding("logs", "filterSince")}`, async () => {
    await start();
    await h.press("/");
    await h.type("needle");
    await h.press("enter");
    await h.waitFor("more below");
    await h.press("s"); // 2xx
    await h.press("s"); // 4xx
    await h.press("s"); // 5xx
    await h.waitFor('SEARCH "needle"  12 found  filter: status 5xx');
    expect(selected()).toContain("502");
    expect(searches().at(-1)).toEqual({ search: "needle", status: "5xx", limit: SEARCH_PAGE });
    await h.press("t");
    await h.waitFor("filter: status 5xx, since 15m");
    const asked = searches().at(-1)!;
    expect(asked).toMatchObject({ search: "needle", status: "5xx", limit: SEARCH_PAGE });
    expect(typeof asked.since).toBe("number");
    await h.press("t");
    await h.waitFor("since 1h");
    await h.press("t");
    await h.press("t");
    await h.press("t");
    await h.waitFor(() => !h.text().split("\n")[1]!.includes("since")); // the header line
    expect(searches().at(-1)).toEqual({ search: "needle", status: "5xx", limit: SEARCH_PAGE });
  });
});
