// Editing a one-line text field from key presses: typed or pasted text is appended (line breaks
// and control characters dropped), backspace removes the last character. Returns null for keys
// that are not editing, so the caller can give them other meanings.
import type { Key } from "ink";

export function editText(value: string, input: string, key: Key, max = 1000): string | null {
  if (key.backspace || key.delete) return Array.from(value).slice(0, -1).join("");
  if (key.ctrl || key.meta || key.escape || key.return || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return null;
  const text = input.replace(/[\x00-\x1f\x7f]/g, "");
  if (!text) return null;
  return (value + text).slice(0, max);
}

type Press = { input: string; key: Key };

/**
 * Ink hands over a chunk of text with tabs or returns in it as one input (it cannot tell typing
 * from pasting). Keys typed faster than the screen redraws (or sent by tmux in one go) arrive
 * that way too, so forms split such a chunk back into text, tab and enter presses, in order;
 * and where keys are commands ("keys"), every character is a press of its own.
 */
export function splitKeys(input: string, key: Key, mode: "text" | "keys" = "text"): Press[] {
  if (input.length <= 1 || (mode === "text" && !/[\t\r\n]/.test(input))) return [{ input, key }];
  const none = Object.fromEntries(Object.keys(key).map((k) => [k, k === "eventType" ? undefined : false])) as unknown as Key;
  const out: Press[] = [];
  const parts = mode === "keys" ? Array.from(input) : input.split(/(\t|\r\n|\r|\n)/);
  for (const part of parts) {
    if (!part) continue;
    if (part === "\t") out.push({ input: "", key: { ...none, tab: true } });
    else if (/^[\r\n]+$/.test(part)) out.push({ input: "", key: { ...none, return: true } });
    else out.push({ input: part, key: none });
  }
  return out;
}
