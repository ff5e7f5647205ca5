// The whole app against a fake routed: global keys, the banner on disconnect and the reconnection,
// the 80×24 fit and resize, NO_COLOR and ASCII rendering.
import { afterEach, describe, expect, test } from "bun:test";
import { binding } from "./test/binding.ts";
import { createFakeClient } from "./test/fake-client.ts";
import { makeUpstream } from "./test/fixtures.ts";
import { fits, renderApp, type Harness } from "./test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

const two = () => createFakeClient({ upstreams: [makeUpstream({ id: 1, name: "alpha" }), makeUpstream({ id: 2, name: "beta" })] });
const onScreen = (t: string, name: string) => new RegExp(`\\s${name}\\s`).test(t.split("\n")[0]!) && t;

describe("global keys", () => {
  test(binding("global", "nextScreen"), async () => {
    h = await renderApp({ fake: two() });
    await h.waitFor("alpha");
    await h.press("tab");
    await h.waitFor("LIVE");
    await h.press("tab");
    await h.waitFor(/sparklines|waiting for the first stats tick/);
    await h.press("tab");
    await h.waitFor("No client keys yet");
    await h.press("tab");
    await h.waitFor("one node: the database is not shared");
    await h.press("tab");
    await h.waitFor("alpha");
  });

  test(binding("global", "prevScreen"), async () => {
    h = await renderApp({ fake: two() });
    await h.press("shift+tab");
    await h.waitFor("one node: the database is not shared");
    await h.press("shift+tab");
    await h.waitFor("No client keys yet");
    await h.press("shift+tab");
    await h.waitFor(/sparklines|waiting for the first stats tick/);
    await h.press("shift+tab");
    await h.waitFor("LIVE");
  });

  test(`${binding("global", "screen1")}, ${binding("global", "screen2")}, ${binding("global", "screen3")}, ${binding("global", "screen4")}, ${binding("global", "screen5")}`, async () => {
    h = await renderApp({ fake: two() });
    await h.press("5");
    await h.waitFor("one node: the database is not shared");
    expect(onScreen(h.text(), "Nodes")).toBeTruthy();
    await h.press("4");
    await h.waitFor("No client keys yet");
    expect(onScreen(h.text(), "Keys")).toBeTruthy();
    await h.press("3");
    await h.waitFor(/sparklines|waiting for the first stats tick/);
    await h.press("2");
    await h.waitFor("LIVE");
    await h.press("1");
    await h.waitFor("alpha");
    expect(onScreen(h.text(), "Upstreams")).toBeTruthy();
  });

  test(binding("global", "help"), async () => {
    h = await renderApp({ fake: two() });
    await h.press("?");
    await h.waitFor("Keys (? or esc closes)");
    expect(h.text()).toContain("next screen");
    await h.press("?");
    await h.waitFor("alpha");
    await h.press("?");
    await h.waitFor("Keys (");
    await h.press("escape");
    await h.waitFor("alpha");
  });

  test(binding("global", "quit"), async () => {
    h = await renderApp({ fake: two() });
    await h.press("q");
    await h.waitFor(() => h.exited());
  });

  test("ctrl+c quits even while a form has the keyboard", async () => {
    h = await renderApp({ fake: two() });
    await h.press("a");
    await h.waitFor("Add upstream");
    await h.type("q");
    expect(h.exited()).toBe(false); // q is text in a form
    await h.press("ctrl+c");
    await h.waitFor(() => h.exited());
  });
});

describe("connection", () => {
  test("a banner appears when routed goes away, the last data stays, and it clears on reconnection", async () => {
    const fake = two();
    h = await renderApp({ fake });
    await h.waitFor("alpha");
    fake.goDown();
    await h.waitFor("ROUTED IS DOWN");
    expect(h.text()).toContain("alpha"); // last data kept
    expect(h.text()).toContain("disconnected");
    fake.comeBack();
    await h.waitFor(() => !h.text().includes("ROUTED IS DOWN"));
    await h.waitFor("(restarted)");
    await h.waitFor(() => fake.calls.filter((c) => c.method === "upstreams.list").length >= 2); // re-read after reconnecting
  });

  test("the Logs screen does not claim to be live while routed is away", async () => {
    const fake = two();
    h = await renderApp({ fake });
    await h.press("2");
    await h.waitFor("LIVE  0 shown");
    fake.goDown();
    await h.waitFor("NOT LIVE (routed is away)");
    fake.comeBack();
    await h.waitFor("LIVE  0 shown");
  });

  test("before the first connection: a banner says why it cannot connect", async () => {
    const fake = two();
    fake.goDown();
    h = await renderApp({ fake, connected: false });
    await h.waitFor("NOT CONNECTED, retrying: cannot reach routed (fake: down)");
    expect(fits(h, 80, 24)).toBe(true);
  });

  test("changes made elsewhere show at the next stats tick (no polling)", async () => {
    const fake = two();
    h = await renderApp({ fake });
    await h.waitFor("beta");
    const lists = fake.calls.filter((c) => c.method === "upstreams.list").length;
    await fake.client.call("upstreams.add", { endpoint: "https://gamma.example.com/v1", sk: "sk-gamma-1234", name: "gamma" });
    expect(h.text()).not.toContain("gamma");
    fake.emitStats();
    await h.waitFor("gamma");
    expect(fake.calls.filter((c) => c.method === "upstreams.list").length).toBe(lists + 1);
  });
});

describe("layout", () => {
  test("fits 80×24 on every screen, and uses the room of a bigger terminal", async () => {
    h = await renderApp({ fake: two() });
    await h.waitFor("alpha");
    for (const key of ["1", "2", "3", "4", "?"]) {
      await h.press(key);
      expect(fits(h, 80, 24)).toBe(true);
      if (key === "?") await h.press("?");
    }
    await h.press("1");
    h.resize(140, 40);
    await h.waitFor(() => h.text().split("\n").length === 40);
    expect(fits(h, 140, 40)).toBe(true);
    expect(h.text()).toContain("api1.example.com"); // the host column grew
    h.resize(80, 24);
    await h.waitFor(() => h.text().split("\n").length === 24);
  });

  test("NO_COLOR: no colour codes at all", async () => {
    h = await renderApp({ fake: two(), color: false });
    await h.waitFor("alpha");
    for (const key of ["1", "2", "3", "4"]) {
      await h.press(key);
      expect(h.frame()).not.toMatch(/\x1b\[(3|9)\dm/); // foreground colours
    }
  });

  test("ASCII mode: nothing outside printable ASCII", async () => {
    const fake = two();
    h = await renderApp({ fake, ascii: true });
    fake.emitStats();
    await h.waitFor("alpha");
    for (const key of ["1", "2", "3", "4", "?"]) {
      await h.press(key);
      expect(h.text()).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });
});
