// Binds a scope of the keymap to handlers: the key press is named, looked up in KEYMAP, and the
// handler of that action runs. Screens never compare raw key codes, so what help shows is what
// the keys do.
import { useInput } from "ink";
import { actionFor, keyName, type ScopeName } from "../keymap.ts";
import { splitKeys } from "../text-edit.ts";

export type Handlers = Partial<Record<string, () => void>>;

export function useKeys(scope: ScopeName, handlers: Handlers, active = true): void {
  useInput(
    (input, key) => {
      // Ink detaches an inactive handler only after the next commit; a key typed right after the
      // one that opened a form must not reach the list behind it.
      if (!active) return;
      for (const press of splitKeys(input, key, "keys")) {
        const action = actionFor(scope, keyName(press.input, press.key));
        if (action) handlers[action]?.();
      }
    },
    { isActive: active },
  );
}
