// RPM / RPD / TPM per upstream (api-together's meaning: -1 or absent = unlimited, 0 = never use).
// RPM and TPM are sliding minutes; RPD counts since midnight in a configured time zone. Requests are
// counted when admitted and tokens corrected with the real usage afterwards. State snapshots are
// plain JSON so counters can be persisted and survive a restart.

import { MINUTE, MinuteLog, SecondLog, type SlidingMinute } from "./minute-log.ts";

export interface LimitSpec {
  rpm?: number;
  rpd?: number;
  tpm?: number;
}

export interface LimitSnapshot {
  /**
   * The last minute per second: [second start (ms), requests, tokens]. One entry per admission
   * would make the snapshot of a busy upstream megabytes of JSON, serialised on the event loop
   * every few seconds (12,000 req/s: 720,000 entries, and p99 latency spikes over 100 ms).
   */
  seconds?: [number, number, number][];
  minute: number[]; // older snapshots: admission times (written empty now)
  tokens: [number, number][]; // older snapshots: [time, tokens] per admission (written empty now)
  day: string;
  dayCount: number;
}

export type LimitVerdict = { ok: true } | { ok: false; which: "rpm" | "rpd" | "tpm"; retryAfterMs: number };

const limited = (n: number | undefined): n is number => n !== undefined && n >= 0;

/** Day key and next midnight for a time zone; computed from the zone's offset at `t`. */
export function dayClock(timeZone: string) {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  const offsetMs = (t: number) => {
    const name = fmt.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000) : 0;
  };
  return {
    day: (t: number) => new Date(t + offsetMs(t)).toISOString().slice(0, 10),
    nextMidnight(t: number): number {
      const local = t + offsetMs(t);
      return local - (local % 86_400_000) + 86_400_000 - offsetMs(t);
    },
  };
}

/** RPM and TPM decisions need every admission's time; usage alone is shown from per-second counts. */
const exact = (spec: LimitSpec) => limited(spec.rpm) || limited(spec.tpm);
const logFor = (spec: LimitSpec): SlidingMinute => (exact(spec) ? new MinuteLog() : new SecondLog());

export class UpstreamLimits {
  private log: SlidingMinute;
  private limits: LimitSpec;
  private day: string;
  private dayEnds: number; // next midnight: the day key is recomputed only then (Intl is slow)
  private dayCount = 0;
  dirty = false;

  constructor(
    spec: LimitSpec,
    private readonly now: () => number,
    private clock: ReturnType<typeof dayClock>,
  ) {
    this.limits = spec;
    this.log = logFor(spec);
    const t = now();
    this.day = clock.day(t);
    this.dayEnds = clock.nextMidnight(t);
  }

  get spec(): LimitSpec {
    return this.limits;
  }

  /** New limits (config reload): the minute so far moves to the kind of log they need. */
  set spec(next: LimitSpec) {
    const had = exact(this.limits);
    this.limits = next;
    if (had !== exact(next)) this.log = refill(logFor(next), this.log.seconds());
  }

  /** A new time zone (config reload): the day is re-derived; a different day starts at zero. */
  setClock(clock: ReturnType<typeof dayClock>): void {
    this.clock = clock;
    this.dayEnds = 0;
    this.prune(this.now());
  }

  private prune(t: number): void {
    this.log.prune(t);
    if (t < this.dayEnds) return;
    const d = this.clock.day(t);
    this.dayEnds = this.clock.nextMidnight(t);
    if (d !== this.day) {
      this.day = d;
      this.dayCount = 0;
      this.dirty = true;
    }
  }

  /** Would a request fit now? When not, says which limit and when it frees up. */
  check(): LimitVerdict {
    const t = this.now();
    this.prune(t);
    const { rpm, rpd, tpm } = this.spec;
    const log = this.log;
    if (limited(rpd) && this.dayCount >= rpd) return { ok: false, which: "rpd", retryAfterMs: this.dayEnds - t };
    if (limited(rpm) && log.length >= rpm) return { ok: false, which: "rpm", retryAfterMs: rpm === 0 ? Infinity : log.at(log.length - rpm) + MINUTE - t };
    if (limited(tpm) && log.sum >= tpm) return { ok: false, which: "tpm", retryAfterMs: tpm === 0 || log.length === 0 ? Infinity : log.at(0) + MINUTE - t };
    return { ok: true };
  }

  /** Counts an admitted request; returns a handle to correct its token estimate later. */
  admit(estimatedTokens: number): (actualTokens: number) => void {
    const t = this.now();
    this.prune(t);
    this.dayCount++;
    const log = this.log; // a correction after the log was replaced (new limits) is dropped
    const seq = log.push(t, estimatedTokens);
    this.dirty = true;
    let counted = estimatedTokens;
    return (actual) => {
      log.correct(seq, actual - counted);
      counted = actual;
      this.dirty = true;
    };
  }

  usage(): { rpm: number; rpd: number; tpm: number } {
    this.prune(this.now());
    return { rpm: this.log.length, rpd: this.dayCount, tpm: this.log.sum };
  }

  /** Remaining headroom per limit (null = unlimited), for metrics and status. */
  remaining(): { rpm: number | null; rpd: number | null; tpm: number | null } {
    const u = this.usage();
    const left = (lim: number | undefined, used: number) => (limited(lim) ? Math.max(0, lim - used) : null);
    return { rpm: left(this.spec.rpm, u.rpm), rpd: left(this.spec.rpd, u.rpd), tpm: left(this.spec.tpm, u.tpm) };
  }

  snapshot(): LimitSnapshot {
    this.prune(this.now());
    return { seconds: this.log.seconds(), minute: [], tokens: [], day: this.day, dayCount: this.dayCount };
  }

  restore(s: LimitSnapshot): void {
    if (s.seconds) this.log = refill(logFor(this.limits), s.seconds);
    else {
      this.log = logFor(this.limits);
      const entries = s.tokens.length === s.minute.length ? s.tokens : s.minute.map((t): [number, number] => [t, 0]);
      for (const [t, k] of entries) this.log.push(t, k);
    }
    this.day = s.day;
    this.dayCount = s.dayCount;
    this.dayEnds = 0; // re-derive: a snapshot from an earlier day starts the new day at zero
    this.prune(this.now());
  }
}

/** Per-second counts back into a log, at the start of their second (they leave up to a second early). */
function refill(log: SlidingMinute, seconds: [number, number, number][]): SlidingMinute {
  for (const [t, n, k] of seconds) for (let i = 0; i < n; i++) log.push(t, i === 0 ? k : 0);
  return log;
}
