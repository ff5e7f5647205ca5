// Test titles taken from the keymap: `test(binding("upstreams", "add"), …)` names the keys and
// the help text, throws if the binding does not exist, and is what keymap.test.ts looks for to
// prove every binding has a test.
import { KEYMAP, type Binding, type ScopeName } from "../keymap.ts";

export function binding(scope: ScopeName, action: string): string {
  const b = (KEYMAP[scope].bindings as Binding[]).find((x) => x.action === action);
  if (!b) throw new Error(`no binding ${scope}.${action} in keymap.ts`);
  return `[${scope}.${action}] ${b.keys.join(" / ")}: ${b.help}`;
}
