import { describe, expect, test } from "bun:test";
import { createLogTail } from "./log-tail.ts";
import { makeLog, summaryOf } from "./test/fixtures.ts";

const entries = (n: number) => Array.from({ length: n }, () => summaryOf(makeLog()));

describe("log tail", () => {
  test("memory is capped: past `cap`, the oldest go and are counted", () => {
    const tail = createLogTail(100);
    const all = entries(1000);
    for (let i = 0; i < all.length; i += 7) tail.add(all.slice(i, i + 7));
    expect(tail.entries.length).toBe(100);
    expect(tail.entries[0]!.id).toBe(all[900]!.id);
    expect(tail.entries.at(-1)!.id).toBe(all[999]!.id);
    expect(tail.dropped).toBe(900);
    expect(tail.received).toBe(1000);
  });

  test("a backfill merges by id and time: nothing twice, nothing lost", () => {
    const tail = createLogTail(10);
    const [a, b, c, d] = entries(4);
    tail.add([c!, d!]);
    expect(tail.merge([d!, c!, b!, a!])).toBe(2); // newest first, as logs.query answers
    expect(tail.entries.map((e) => e.id)).toEqual([a, b, c, d].map((e) => e!.id));
    expect(tail.add([d!])).toBe(0);
  });

  test("each change is a new array (React sees it); clear forgets everything", () => {
    const tail = createLogTail(10);
    const before = tail.entries;
    tail.add(entries(1));
    expect(tail.entries).not.toBe(before);
    tail.skipped(5);
    expect(tail.dropped).toBe(5);
    tail.clear();
    expect([tail.entries.length, tail.dropped, tail.received]).toEqual([0, 0, 0]);
  });
});
