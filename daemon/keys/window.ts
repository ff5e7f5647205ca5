// Budget windows: the period whose spend a budget limits. total never resets; day, week (Monday)
// and month start at local midnight in the configured time zone (the same zone as `rpd`).
import type { BudgetWindow } from "../store/types.ts";

export interface Window {
  start: number; // ms; 0 for total
  end: number | null; // ms; null: never resets
}

/** The zone's UTC offset at `t` (ms), read from Intl once per call; DST-correct at that instant. */
function offsetAt(fmt: Intl.DateTimeFormat, t: number): number {
  const name = fmt.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000) : 0;
}

export function windowClock(timeZone: string) {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  /** Local wall-clock fields → the instant, correcting for the offset at that instant. */
  const instant = (y: number, mo: number, d: number) => {
    const wall = Date.UTC(y, mo, d);
    const guess = wall - offsetAt(fmt, wall);
    return wall - offsetAt(fmt, guess);
  };
  return (kind: BudgetWindow, t: number): Window => {
    if (kind === "total") return { start: 0, end: null };
    const local = new Date(t + offsetAt(fmt, t));
    const y = local.getUTCFullYear();
    const mo = local.getUTCMonth();
    const d = local.getUTCDate();
    if (kind === "day") return { start: instant(y, mo, d), end: instant(y, mo, d + 1) };
    if (kind === "week") {
      const back = (local.getUTCDay() + 6) % 7; // days since Monday
      return { start: instant(y, mo, d - back), end: instant(y, mo, d - back + 7) };
    }
    return { start: instant(y, mo, 1), end: instant(y, mo + 1, 1) };
  };
}

export type WindowClock = ReturnType<typeof windowClock>;
