// Storm control, pure and clock-injected. Events group per (type, upstream, key) over a window: the
// first is sent at once; the rest are counted and leave as one follow-up when the window ends,
// which opens the next window, so a steady storm costs one message per window. A per-channel
// hourly cap bounds everything else.
import type { NotifyEvent } from "./events.ts";

interface Group {
  opened: number;
  count: number;
  last: NotifyEvent;
}

export interface FollowUp {
  event: NotifyEvent;
  more: number;
}

export function createGrouper(windowMs: number, now: () => number) {
  const groups = new Map<string, Group>();
  return {
    /** True if the event should be sent now; false if it was counted into its group. */
    offer(e: NotifyEvent): boolean {
      const key = `${e.type}\0${e.upstream ?? ""}\0${e.key ?? ""}`;
      const g = groups.get(key);
      if (g && now() - g.opened < windowMs) {
        g.count++;
        g.last = e;
        return false;
      }
      groups.set(key, { opened: now(), count: 0, last: e });
      return true;
    },
    /** Follow-ups of windows that have ended with counted events; quiet windows just close. */
    due(): FollowUp[] {
      const out: FollowUp[] = [];
      const t = now();
      for (const [key, g] of groups) {
        if (t - g.opened < windowMs) continue;
        if (g.count > 0) {
          out.push({ event: g.last, more: g.count });
          groups.set(key, { opened: t, count: 0, last: g.last });
        } else groups.delete(key);
      }
      return out;
    },
  };
}

/** Sliding one-hour cap: `take()` is false once `cap` sends happened in the last hour. */
export function createHourlyCap(cap: number, now: () => number) {
  const sent: number[] = [];
  return {
    take(): boolean {
      const t = now();
      while (sent.length > 0 && t - sent[0]! >= 3_600_000) sent.shift();
      if (sent.length >= cap) return false;
      sent.push(t);
      return true;
    },
  };
}
