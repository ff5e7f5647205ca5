// The Keys screen against a fake routed: the table (state, spend bar, requests today, limits,
// expiry), every binding, the form's checks, and secrets shown once and never again.
import { afterEach, describe, expect, test } from "bun:test";
import { RpcError } from "../../shared/rpc/errors.ts";
import { binding } from "../test/binding.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { makeKey } from "../test/fixtures.ts";
import { renderApp, type Harness } from "../test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

const DAY = 86_400_000;
const line = (name: string) => h.text().split("\n").find((l) => new RegExp(`^. ${name}\\s`).test(l)) ?? "";
const selected = () => h.text().split("\n").find((l) => l.startsWith("›")) ?? "";
const secretOf = (method: string) => h.fake.calls.filter((c) => c.method === method).length;

function keys() {
  return [
    makeKey({ id: 1, name: "alice", budgetMicros: 10_000_000, budgetWindow: "day", rpm: 60, tpm: 10_000, maxInflight: 4, expiresAt: Date.now() + 3 * DAY + 3_600_000, standing: { spentMicros: 2_500_000, usage: { rpm: 1, rpd: 42, tpm: 10 } } }),
    makeKey({ id: 2, name: "bob", budgetMicros: 1_000_000, standing: { spentMicros: 1_000_000 } }),
    makeKey({ id: 3, name: "carol", standing: { spentMicros: 1_230_000 } }),
    makeKey({ id: 4, name: "dave", enabled: false }),
    makeKey({ id: 5, name: "erin", expiresAt: Date.now() - 1000 }),
  ];
}
async function start(opts: { width?: number; ascii?: boolean } = {}) {
  h = await renderApp({ fake: createFakeClient({ keys: keys() }), width: opts.width ?? 100, ascii: opts.ascii });
  await h.press("4");
  await h.waitFor("erin");
}

describe("the table", () => {
  test("each key's state, spend against budget as a bar, requests today, limits and expiry", async () => {
    await start();
    expect(line("alice")).toMatch(/alice\s+sk-route-0001\s+active\s+(█+)(░+) \$2\.50 \/ \$10\.00 \(day\)\s+42\s+60rpm 10ktpm 4infl\s+in 3d/);
    const [, full, empty] = /active\s+(█+)(░+) /.exec(line("alice"))!;
    expect(full!.length).toBe(Math.round((full!.length + empty!.length) / 4)); // a quarter of the budget
    expect(line("bob")).toMatch(/bob\s+sk-route-0002\s+exhausted\s+█+ \$1\.00 \/ \$1\.00 \(total\)/);
    expect(line("bob").indexOf("$1.00")).toBe(line("alice").indexOf("$2.50")); // the bars line up
    expect(line("carol")).toMatch(/carol\s+sk-route-0003\s+active\s+\$1\.23\s+0\s+-\s+never/); // no budget: spent only, no bar
    expect(line("dave")).toMatch(/dave\s+\S+\s+disabled/);
    expect(line("erin")).toMatch(/erin\s+\S+\s+expired.*expired$/);
  });

  test("ASCII mode: ASCII bars, nothing outside printable ASCII", async () => {
    await start({ ascii: true });
    expect(line("alice")).toMatch(/active\s+#+\.+ \$2\.50/);
    expect(h.text()).toMatch(/^[\x20-\x7e\n]*$/);
  });

  test("re-read at each stats tick while shown: spend made elsewhere appears", async () => {
    await start();
    h.fake.setKeyStanding("carol", { spentMicros: 7_770_000, usage: { rpm: 0, rpd: 9, tpm: 0 } });
    expect(line("carol")).toContain("$1.23");
    h.fake.emitStats();
    await h.waitFor(() => line("carol").includes("$7.77"));
    expect(line("carol")).toMatch(/\$7\.77\s+9\s/);
  });
});

describe("keys", () => {
  test(`${binding("keys", "down")}, ${binding("keys", "up")}, ${binding("keys", "details")}`, async () => {
    await start();
    expect(selected()).toContain("alice");
    await h.press("down");
    await h.waitFor(() => selected().includes("bob"));
    await h.press("j");
    await h.waitFor(() => selected().includes("carol"));
    await h.press("k");
    await h.press("up");
    await h.waitFor(() => selected().includes("alice"));
    await h.press("enter");
    await h.waitFor("Key alice");
    expect(h.text()).toMatch(/remaining\s+\$7\.50/);
    expect(h.text()).toMatch(/limits\s+rpm 60  rpd unlimited  tpm 10k  in flight 4/);
    await h.press("escape");
    await h.waitFor("erin");
  });

  test(`${binding("keys", "toggle")}: disable, then enable; the row follows`, async () => {
    await start();
    await h.press("space");
    await h.waitFor("disabled alice: disabled");
    expect(selected()).toMatch(/alice\s+\S+\s+disabled/);
    expect(h.fake.keys[0]!.enabled).toBe(false);
    await h.press("space");
    await h.waitFor("enabled alice: active");
    expect(selected()).toMatch(/alice\s+\S+\s+active/);
  });

  test(`${binding("keys", "delete")}: asks first; no keeps it, yes deletes it`, async () => {
    await start();
    await h.press("d");
    await h.waitFor("Delete key alice (sk-route-0001)?");
    await h.press("n");
    await h.waitFor(() => !h.text().includes("Delete key"));
    expect(h.fake.keys.length).toBe(5);
    await h.press("d");
    await h.press("y");
    await h.waitFor("deleted alice");
    expect(h.fake.keys.map((k) => k.name)).toEqual(["bob", "carol", "dave", "erin"]);
    expect(selected()).toContain("bob");
  });

  test(`${binding("keys", "rotate")}, ${binding("secret", "close")}: asks first, shows the new secret once with the grace period`, async () => {
    await start();
    await h.press("r");
    await h.waitFor("Rotate key alice?");
    await h.press("escape");
    await h.waitFor(() => !h.text().includes("Rotate key"));
    expect(secretOf("keys.rotate")).toBe(0);
    await h.press("r");
    await h.press("y");
    await h.waitFor("Its new secret:");
    const secret = /sk-route-[0-9a-f]{48}/.exec(h.text())?.[0];
    expect(secret).toBeDefined();
    expect(h.text()).toContain("Copy it now; it will not be shown again.");
    expect(h.text()).toMatch(/The old secret keeps working until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(grace period\)/);
    await h.press("enter");
    await h.waitFor("the secret is no longer shown");
    expect(h.text()).not.toContain(secret!);
    expect(selected()).toContain(secret!.slice(0, 13)); // the new prefix
    for (const k of ["1", "2", "4"]) await h.press(k);
    await h.waitFor("erin");
    expect(h.text()).not.toContain(secret!);
  });

  test(`${binding("keys", "add")}, ${binding("form", "submit")}: the secret is shown once, then never`, async () => {
    await start();
    await h.press("a");
    await h.waitFor("Create a client key");
    await h.type("frank");
    await h.press("tab");
    await h.type("25");
    await h.press("tab");
    await h.type("month");
    await h.press("tab");
    await h.press("tab");
    await h.type("gpt-4o*, o3");
    await h.press("enter");
    await h.waitFor("Key frank created (id 6). Its secret:");
    expect(h.fake.calls.find((c) => c.method === "keys.add")!.params).toEqual({ name: "frank", budgetMicros: 25_000_000, budgetWindow: "month", models: ["gpt-4o*", "o3"] });
    const secret = /sk-route-[0-9a-f]{48}/.exec(h.text())![0];
    expect(h.text()).toContain("Copy it now; it will not be shown again.");
    await h.press("escape");
    await h.waitFor("the secret is no longer shown");
    await h.waitFor(() => selected().includes("frank"));
    expect(h.text()).not.toContain(secret);
    expect(JSON.stringify(await h.fake.client.call("keys.list", {}))).not.toContain(secret); // routed never lists it
    expect(selected()).toMatch(/frank\s+sk-route-[0-9a-f]{4}\s+active\s+\S+ \$0\.00 \/ \$25\.00 \(month\)/);
    await h.press("e"); // nor in the edit form
    await h.waitFor("Edit key frank");
    expect(h.text()).not.toContain(secret);
  });

  test(`${binding("keys", "edit")}: prefilled; an invalid budget is refused in the form, then only the change is sent`, async () => {
    await start();
    await h.press("e");
    await h.waitFor("Edit key alice (id 1, sk-route-0001)");
    expect(h.text()).toMatch(/Budget USD\s+10\.00/);
    await h.press("tab");
    await h.press("ctrl+u");
    await h.type("12.3456789");
    await h.press("enter");
    await h.waitFor("an amount in USD, such as 25 or 0.50");
    expect(h.fake.calls.some((c) => c.method === "keys.update")).toBe(false);
    await h.press("ctrl+u");
    await h.type("$12.34");
    await h.press("enter");
    await h.waitFor("saved alice");
    expect(h.fake.calls.find((c) => c.method === "keys.update")!.params).toEqual({ key: 1, patch: { budgetMicros: 12_340_000 } });
    await h.waitFor(() => line("alice").includes("$2.50 / $12.34 (day)"));
  });

  test("an invalid budget on create is refused before sending; a duplicate name comes back under the name", async () => {
    await start();
    await h.press("a");
    await h.type("alice");
    await h.press("tab");
    await h.type("ten dollars");
    await h.press("enter");
    await h.waitFor("an amount in USD");
    expect(h.fake.calls.some((c) => c.method === "keys.add")).toBe(false);
    await h.press("ctrl+u");
    await h.type("10");
    await h.press("enter");
    await h.waitFor('a key named "alice" exists');
    expect(h.text()).toContain("Create a client key");
  });

  test("the form scrolls to fields below the screen's edge and fits 80x24", async () => {
    await start({ width: 80 });
    await h.press("a");
    for (let i = 0; i < 12; i++) await h.press("tab");
    await h.waitFor("(field 13 of 13)");
    expect(h.text()).toMatch(/› Note/);
    expect(h.text().split("\n").length).toBeLessThanOrEqual(24);
  });
});

describe("an older routed", () => {
  test("without keys.* the screen says why it is empty; other screens are unaffected", async () => {
    const fake = createFakeClient({ keys: keys() });
    const refuse = () => fake.failNext("keys.list", new RpcError("method_not_found", "unknown method keys.list"));
    refuse();
    h = await renderApp({ fake });
    await h.waitFor(() => fake.calls.some((c) => c.method === "keys.list"));
    refuse(); // the screen reads again when shown
    await h.press("4");
    await h.waitFor("keys.list: unknown method keys.list");
    await h.press("a"); // creating still asks routed, which answers for itself
    await h.waitFor("Create a client key");
  });
});

describe("narrow", () => {
  test("80 columns: the spend text goes compact so the bar keeps its room; everything fits", async () => {
    await start({ width: 80 });
    expect(line("alice")).toMatch(/active\s+█+░+ \$2\.50\/\$10\.00 day\s+42/);
    expect(h.text().split("\n").every((l) => l.length <= 80)).toBe(true);
  });
});
