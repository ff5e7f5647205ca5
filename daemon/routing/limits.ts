// RPM / RPD / TPM per upstream (api-together's meaning: -1 or absent = unlimited, 0 = never use).
// RPM and TPM are sliding minutes; RPD counts since midnight in a configured time zone. Requests are
// counted when admitted and tokens corrected with the real usage afterwards. State snapshots are
// plain JSON so counters can be persisted and survive a restart.

export interface LimitSpec {
  rpm?: number;
  rpd?: number;
  tpm?: number;
}

export interface LimitSnapshot {
  minute: number[]; // admission times in the last minute
  tokens: [number, number][]; // [time, tokens] in the last minute
  day: string;
  dayCount: number;
}

export type LimitVerdict = { ok: true } | { ok: false; which: "rpm" | "rpd" | "tpm"; retryAfterMs: number };

const MINUTE = 60_000;
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

/**
 * A sliding minute of [time, tokens] entries as two parallel arrays with a moving head: amortised
 * O(1) per request whatever the traffic (Array#shift is O(n) on large arrays), and no object per
 * entry. Entries are addressed by sequence number so a later token correction finds its own.
 */
class MinuteLog {
  times: number[] = [];
  tokens: number[] = [];
  head = 0; // index of the oldest live entry
  base = 0; // sequence number of index 0
  sum = 0; // tokens of the live entries

  get length(): number {
    return this.times.length - this.head;
  }
  at(i: number): number {
    return this.times[this.head + i]!;
  }
  push(t: number, k: number): number {
    this.times.push(t);
    this.tokens.push(k);
    this.sum += k;
    return this.base + this.times.length - 1;
  }
  correct(seq: number, k: number): void {
    const i = seq - this.base;
    if (i < this.head || i >= this.tokens.length) return; // already out of the minute
    this.sum += k - this.tokens[i]!;
    this.tokens[i] = k;
  }
  prune(t: number): void {
    while (this.head < this.times.length && t - this.times[this.head]! >= MINUTE) this.sum -= this.tokens[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.tokens = this.tokens.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = this.head; i < this.times.length; i++) out.push([this.times[i]!, this.tokens[i]!]);
    return out;
  }
}

export class UpstreamLimits {
  private log = new MinuteLog();
  private day: string;
  private dayEnds: number; // next midnight: the day key is recomputed only then (Intl is slow)
  private dayCount = 0;
  dirty = false;

  constructor(
    public spec: LimitSpec,
    private readonly now: () => number,
    private clock: ReturnType<typeof dayClock>,
  ) {
    const t = now();
    this.day = clock.day(t);
    this.dayEnds = clock.nextMidnight(t);
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
    const seq = this.log.push(t, estimatedTokens);
    this.dirty = true;
    return (actual) => {
      this.log.correct(seq, actual);
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
    const tokens = this.log.entries();
    return { minute: tokens.map(([t]) => t), tokens, day: this.day, dayCount: this.dayCount };
  }

  restore(s: LimitSnapshot): void {
    this.log = new MinuteLog();
    // `tokens` has one entry per admission (minute is kept in snapshots for older readers).
    const entries = s.tokens.length === s.minute.length ? s.tokens : s.minute.map((t): [number, number] => [t, 0]);
    for (const [t, k] of entries) this.log.push(t, k);
    this.day = s.day;
    this.dayCount = s.dayCount;
    this.dayEnds = 0; // re-derive: a snapshot from an earlier day starts the new day at zero
    this.prune(this.now());
  }
}
