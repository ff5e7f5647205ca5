// A screen's actions on routed and the notice line that reports them: each action is one call,
// its answer or refusal becomes the notice, and the list is re-read first, so what the notice
// says and what the rows show agree.
import { useState } from "react";
import type { Role } from "../theme.ts";

export interface Notice {
  text: string;
  role: Role;
}

export const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function useActions(refresh: () => Promise<void>) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const say = (text: string, role: Role = "ok") => setNotice({ text, role });
  async function run<T>(what: string, fn: () => Promise<T>, done: (r: T) => string | void) {
    let next: Notice | null = null;
    try {
      const text = done(await fn());
      if (text) next = { text, role: "ok" };
    } catch (err) {
      next = { text: `${what}: ${errText(err)}`, role: "error" };
    }
    await refresh();
    if (next) setNotice(next);
  }
  return { notice, say, run };
}
