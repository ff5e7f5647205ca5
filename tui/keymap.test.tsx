// The keymap is the single source of the keys: every binding is reachable from the bytes a
// terminal sends, no key means two things where both scopes listen, help lists them all, and
// every binding has a test that presses it (found by its binding("scope", "action") title).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Text, useInput } from "ink";
import { render } from "ink-testing-library";
import { useState } from "react";
import { helpLines } from "./components/HelpOverlay.tsx";
import { KEYMAP, keyName, type Binding, type ScopeName } from "./keymap.ts";
import { KEYS } from "./test/harness.tsx";

const scopes = Object.entries(KEYMAP) as [ScopeName, { bindings: Binding[] }][];

describe("keymap", () => {
  test("every key in it is what a terminal's bytes for that key are named", async () => {
    const seen: string[] = [];
    function Probe() {
      const [, set] = useState(0);
      useInput((input, key) => {
        seen.push(keyName(input, key));
        set((n) => n + 1);
      });
      return <Text>probe</Text>;
    }
    const inst = render(<Probe />);
    const all = [...new Set(scopes.flatMap(([, s]) => s.bindings.flatMap((b) => b.keys)))];
    for (const k of all) {
      inst.stdin.write(KEYS[k] ?? k);
      await new Promise((r) => setTimeout(r, 25)); // a lone escape is told apart by a pause
    }
    inst.unmount();
    expect(seen).toEqual(all);
  });

  test("no key means two things in one scope, nor in a screen and the global scope", () => {
    for (const [name, s] of scopes) {
      const keys = s.bindings.flatMap((b) => b.keys);
      expect({ name, dupes: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ name, dupes: [] });
    }
    const global = KEYMAP.global.bindings.flatMap((b) => b.keys);
    for (const screen of ["upstreams", "logs", "keys", "stats", "view"] as const) {
      const clash = (KEYMAP[screen].bindings as Binding[]).flatMap((b) => b.keys).filter((k) => global.includes(k));
      expect({ screen, clash }).toEqual({ screen, clash: [] });
    }
  });

  test("help lists every binding", () => {
    const help = helpLines(false).map((l) => l.text).join("\n");
    for (const [, s] of scopes) for (const b of s.bindings) expect(help).toContain(b.help);
  });

  test("every binding has a test that presses it", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.test\.tsx?$/.test(e.name)) files.push(readFileSync(join(dir, e.name), "utf8"));
      }
    };
    walk(import.meta.dir);
    const source = files.join("\n");
    const missing = scopes.flatMap(([scope, s]) => s.bindings.map((b) => `binding("${scope}", "${b.action}")`)).filter((ref) => !source.includes(ref));
    expect(missing).toEqual([]);
  });
});
