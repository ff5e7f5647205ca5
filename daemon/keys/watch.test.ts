import { describe, expect, test } from "bun:test";
import type { NotifyEvent } from "../notify/events.ts";
import { DEFAULT_SETTINGS } from "./view.ts";
import type { ClientKeyRecord } from "../store/types.ts";
import { dayStart } from "./billing-routes.ts";
import { createKeyRegistry } from "./registry.ts";
import { createKeyWatch } from "./watch.ts";

const DAY = 86_400_000;
const record = (id: number, fields: Partial<ClientKeyRecord>): ClientKeyRecord => ({ ...DEFAULT_SETTINGS, prefix: "", prevHash: null, prevValidUntil: null, id, name: `k${id}`, hash: String(id).padStart(64, "0"), createdAt: 0, updatedAt: 0, ...fields });

function setup(t0: number) {
  const clock = { t: t0 };
  const registry = createKeyRegistry({ store: { spendSince: async () => 0 }, now: () => clock.t });
  const events: NotifyEvent[] = [];
  const requests: string[] = [];
  const watch = createKeyWatch({ registry, metrics: { keyRequest: (name) => void requests.push(name), watchKeyBudgets: () => {} }, emit: (e) => void events.push(e), now: () => clock.t });
  const row = { costMicros: 1, promptTokens: 1, completionTokens: 1 };
  return { clock, registry, events, requests, watch, row };
}

describe("key alerts", () => {
  test("soft budget and exhaustion: once per window and amount; a new window or a changed budget re-arms", async () => {
    const { clock, registry, events, watch, row } = setup(Date.UTC(2026, 10, 29, 12));
    await registry.load([record(1, { budgetMicros: 100, softBudgetMicros: 50, budgetWindow: "day" })]);
    const e = () => registry.get(1)!;
    const types = () => events.map((x) => x.type);
    registry.adjust(1, 49);
    watch.settled(e(), row);
    expect(types()).toEqual([]);
    registry.adjust(1, 1);
    watch.settled(e(), row);
    watch.settled(e(), row);
    expect(types()).toEqual(["key_soft_budget"]);
    registry.adjust(1, 60);
    watch.settled(e(), row);
    watch.settled(e(), row);
    expect(types()).toEqual(["key_soft_budget", "key_exhausted"]);
    expect(events[1]).toMatchObject({ key: "k1", detail: { spent_usd: "0.00011", budget_usd: "0.0001", window: "day", resets_at: "2026-11-30T00:00:00.000Z" } });
    clock.t += DAY; // the next day's window: spend starts from zero
    registry.adjust(1, 50);
    watch.settled(e(), row);
    expect(types()).toEqual(["key_soft_budget", "key_exhausted", "key_soft_budget"]);
    await registry.load([record(1, { budgetMicros: 100, softBudgetMicros: 40, budgetWindow: "day" })]);
    watch.settled(e(), row);
    expect(types().at(-1)).toBe("key_soft_budget");
    expect(events.at(-1)!.summary).toBe("key k1 has spent $0.00005 and passed its soft budget of $0.00004");
    expect(events).toHaveLength(4);
  });

  test("expiry within 3 days: once per key and expiry date; disabled and expired keys are not warned", async () => {
    const t0 = Date.UTC(2026, 10, 29, 12);
    const { clock, registry, events, watch } = setup(t0);
    await registry.load([record(1, { expiresAt: t0 + 4 * DAY }), record(2, { expiresAt: t0 + DAY, enabled: false }), record(3, { expiresAt: t0 - 1 })]);
    watch.checkExpiry();
    expect(events).toEqual([]);
    clock.t += 1.5 * DAY;
    watch.checkExpiry();
    watch.checkExpiry();
    expect(events.map((x) => [x.type, x.key, x.detail!.expires_at])).toEqual([["key_expiring", "k1", "2026-12-03T12:00:00.000Z"]]);
    await registry.load([record(1, { expiresAt: t0 + 4 * DAY + 3_600_000 })]); // extended by an hour: a new date
    watch.checkExpiry();
    watch.checkExpiry();
    expect(events.map((x) => x.detail!.expires_at)).toEqual(["2026-12-03T12:00:00.000Z", "2026-12-03T13:00:00.000Z"]);
  });

  test("every settled request of a key is counted under its name", async () => {
    const { registry, requests, watch, row } = setup(0);
    await registry.load([record(7, {})]);
    watch.settled(registry.get(7)!, row);
    expect(requests).toEqual(["k7"]);
  });
});

describe("billing dates", () => {
  test("a date's local midnight in any zone (-12 h to +14 h, DST); malformed dates are null", () => {
    const at = (d: string, tz: string) => {
      const t = dayStart(d, tz);
      return t === null ? null : new Date(t).toISOString();
    };
    expect(at("2026-11-29", "UTC")).toBe("2026-11-29T00:00:00.000Z");
    expect(at("2026-11-29", "Asia/Shanghai")).toBe("2026-11-28T16:00:00.000Z");
    expect(at("2026-11-29", "Pacific/Kiritimati")).toBe("2026-11-28T10:00:00.000Z");
    expect(at("2026-11-29", "Etc/GMT+12")).toBe("2026-11-29T12:00:00.000Z");
    expect(at("2026-03-09", "America/New_York")).toBe("2026-03-09T04:00:00.000Z"); // the day after spring-forward
    expect(at("2026-02-30", "UTC")).toBeNull();
    expect(at("26-1-1", "UTC")).toBeNull();
  });
});
