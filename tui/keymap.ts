// Every key binding of route-tui, as data: the screens look actions up here, the help overlay and
// the README's key map are generated from it, and the tests walk it. Change a key here and it
// changes everywhere. Key names are what `keyName` produces: a character ("a", "J", "?"), or
// "space", "enter", "escape", "tab", "shift+tab", "up", "shift+down", "pageup", "home", "ctrl+c"…
import type { Key } from "ink";

export interface Binding {
  action: string;
  keys: string[];
  help: string;
}

export interface Scope {
  title: string;
  bindings: Binding[];
}

const b = (action: string, keys: string[], help: string): Binding => ({ action, keys, help });

export const KEYMAP = {
  global: {
    title: "Everywhere",
    bindings: [
      b("nextScreen", ["tab"], "next screen"),
      b("prevScreen", ["shift+tab"], "previous screen"),
      b("screen1", ["1"], "Upstreams screen"),
      b("screen2", ["2"], "Logs screen"),
      b("screen3", ["3"], "Stats screen"),
      b("screen4", ["4"], "Keys screen"),
      b("screen5", ["5"], "Nodes screen"),
      b("help", ["?"], "show or hide this help"),
      b("quit", ["q", "ctrl+c"], "quit, restoring the terminal (ctrl+c: even in forms)"),
    ],
  },
  upstreams: {
    title: "Upstreams (the list is the failover order)",
    bindings: [
      b("up", ["up", "k"], "select the previous upstream"),
      b("down", ["down", "j"], "select the next upstream"),
      b("add", ["a"], "add an upstream (form)"),
      b("edit", ["e"], "edit the selected upstream (form)"),
      b("toggle", ["space"], "enable / disable the selected upstream"),
      b("moveDown", ["J", "shift+down"], "move it down (later in the failover order)"),
      b("moveUp", ["K", "shift+up"], "move it up (earlier in the failover order)"),
      b("delete", ["d"], "delete it (asks to confirm)"),
      b("test", ["t"], "test it: a real GET /models, shows status and latency"),
      b("details", ["enter"], "details: every field, live stats, errors by class"),
    ],
  },
  logs: {
    title: "Logs (live tail, newest at the bottom; search results, newest at the top)",
    bindings: [
      b("up", ["up", "k"], "select the previous request (scroll back)"),
      b("down", ["down", "j"], "select the next request"),
      b("pageUp", ["pageup"], "one page back"),
      b("pageDown", ["pagedown"], "one page forward"),
      b("first", ["home", "g"], "the oldest request kept"),
      b("last", ["end", "G"], "the newest request (follow the tail again)"),
      b("pause", ["p", "space"], "pause / resume the tail (new requests are counted meanwhile)"),
      b("search", ["/"], "search request and reply words (routed's full-text index; results paged from routed)"),
      b("clearSearch", ["escape"], "leave the search results: back to the live tail"),
      b("filterSince", ["t"], "search results since: 15m, 1h, 24h, 7d, any (cycles)"),
      b("filterUpstream", ["u"], "filter by upstream (cycles through them)"),
      b("filterStatus", ["s"], "filter by status (2xx, 4xx, 5xx)"),
      b("filterKey", ["K"], "filter by client key (cycles through them)"),
      b("filterModel", ["m"], "filter by model (cycles through the models shown)"),
      b("clearFilters", ["c"], "clear the filters"),
      b("open", ["enter"], "open the request in full: messages, whole reply, attempts"),
    ],
  },
  keys: {
    title: "Keys (client keys, their spend and limits)",
    bindings: [
      b("up", ["up", "k"], "select the previous key"),
      b("down", ["down", "j"], "select the next key"),
      b("add", ["a"], "create a key (form); its secret is shown once"),
      b("edit", ["e"], "edit the selected key (form)"),
      b("toggle", ["space"], "disable / enable the selected key (refused on its next request)"),
      b("rotate", ["r"], "rotate: a new secret, shown once; the old one works for a grace period (asks to confirm)"),
      b("delete", ["d"], "delete it (asks to confirm)"),
      b("details", ["enter"], "details: every setting, spend, window, use"),
    ],
  },
  stats: {
    title: "Stats",
    bindings: [
      b("up", ["up", "k"], "scroll up"),
      b("down", ["down", "j"], "scroll down"),
      b("span", ["w"], "sparkline span: 1, 5 or 15 minutes"),
    ],
  },
  view: {
    title: "Details, request view, help",
    bindings: [
      b("up", ["up", "k"], "scroll up"),
      b("down", ["down", "j"], "scroll down"),
      b("pageUp", ["pageup"], "one page up"),
      b("pageDown", ["pagedown", "space"], "one page down"),
      b("first", ["home", "g"], "top"),
      b("last", ["end", "G"], "bottom"),
      b("close", ["escape", "backspace"], "close"),
    ],
  },
  form: {
    title: "Forms (add, edit)",
    bindings: [
      b("next", ["tab", "down"], "next field"),
      b("prev", ["shift+tab", "up"], "previous field"),
      b("submit", ["enter"], "save (routed checks it; its errors show under the field)"),
      b("clear", ["ctrl+u"], "clear the field"),
      b("cancel", ["escape"], "cancel"),
    ],
  },
  prompt: {
    title: "Filter prompt",
    bindings: [b("submit", ["enter"], "apply"), b("clear", ["ctrl+u"], "clear the text"), b("cancel", ["escape"], "cancel")],
  },
  secret: {
    title: "New secret (shown once)",
    bindings: [b("close", ["enter", "escape"], "close: the secret is gone from the screen for good")],
  },
  confirm: {
    title: "Confirmation",
    bindings: [b("yes", ["y"], "yes, do it"), b("no", ["n", "escape"], "no")],
  },
} satisfies Record<string, Scope>;

export type ScopeName = keyof typeof KEYMAP;

/** The canonical name of a key press, as KEYMAP spells keys. */
export function keyName(input: string, key: Key): string {
  const shift = key.shift ? "shift+" : "";
  if (key.upArrow) return `${shift}up`;
  if (key.downArrow) return `${shift}down`;
  if (key.leftArrow) return `${shift}left`;
  if (key.rightArrow) return `${shift}right`;
  if (key.pageUp) return "pageup";
  if (key.pageDown) return "pagedown";
  if (key.home) return "home";
  if (key.end) return "end";
  if (key.return) return "enter";
  if (key.escape) return "escape";
  if (key.tab) return `${shift}tab`;
  if (key.backspace || key.delete) return "backspace";
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (input === " ") return "space";
  return input;
}

/** The action a key press means in a scope, if any. */
export function actionFor(scope: ScopeName, name: string): string | undefined {
  return (KEYMAP[scope].bindings as Binding[]).find((x) => x.keys.includes(name))?.action;
}

/** The keys of an action, for hints ("a add · e edit"). */
export function keysOf(scope: ScopeName, action: string): string[] {
  return (KEYMAP[scope].bindings as Binding[]).find((x) => x.action === action)?.keys ?? [];
}

/** How a key is shown to people. */
export function displayKey(k: string, ascii: boolean): string {
  if (ascii) return k;
  return k.replace(/\bup\b/, "↑").replace(/\bdown\b/, "↓").replace(/\bleft\b/, "←").replace(/\bright\b/, "→");
}

/** A footer hint from the keymap: hint("form", [["submit", "save"]], ascii) → "enter save". */
export function hint(scope: ScopeName, items: [action: string, label: string][], ascii: boolean, firstKeyOnly = false): string {
  const keys = (action: string) => (firstKeyOnly ? keysOf(scope, action).slice(0, 1) : keysOf(scope, action));
  return items.map(([action, label]) => `${keys(action).map((k) => displayKey(k, ascii)).join("/")} ${label}`).join("  ");
}
