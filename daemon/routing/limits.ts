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

export class UpstreamLimits {
  private minute: number[] = [];
  private tokens: [number, number][] = [];
  private day: string;
  private dayCount = 0;
  dirty = false;

  constructor(
    public spec: LimitSpec,
    private readonly now: () => number,
    private readonly clock: ReturnType<typeof dayClock>,
  ) {
    this.day = clock.day(now());
  }

  private prune(t: number): void {
    while (this.minute.length > 0 && t - this.minute[0]! >= MINUTE) this.minute.shift();
    while (this.tokens.length > 0 && t - this.tokens[0]![0] >= MINUTE) this.tokens.shift();
    const d = this.clock.day(t);
    if (d !== this.day) {
      this.day = d;
      this.dayCount = 0;
    }
  }

  /** Would a request fit now? When not, says which limit and when it frees up. */
  check(): LimitVerdict {
    const t = this.now();
    this.prune(t);
    const { rpm, rpd, tpm } = this.spec;
    if (limited(rpd) && this.dayCount >= rpd) return { ok: false, which: "rpd", retryAfterMs: this.clock.nextMidnight(t) - t };
    if (limited(rpm) && this.minute.length >= rpm) return { ok: false, which: "rpm", retryAfterMs: rpm === 0 ? Infinity : this.minute[this.minute.length - rpm]! + MINUTE - t };
    if (limited(tpm) && this.usedTokens() >= tpm) return { ok: false, which: "tpm", retryAfterMs: tpm === 0 ? Infinity : this.tokens[0]![0] + MINUTE - t };
    return { ok: true };
  }

  /** Counts an admitted request; returns a handle to correct its token estimate later. */
  admit(estimatedTokens: number): (actualTokens: number) => void {
    const t = this.now();
    this.prune(t);
    this.minute.push(t);
    this.dayCount++;
    const entry: [number, number] = [t, estimatedTokens];
    this.tokens.push(entry);
    this.dirty = true;
    return (actual) => {
      entry[1] = actual;
      this.dirty = true;
    };
  }

  private usedTokens(): number {
    let n = 0;
    for (const [, k] of this.tokens) n += k;
    return n;
  }

  usage(): { rpm: number; rpd: number; tpm: number } {
    this.prune(this.now());
    return { rpm: this.minute.length, rpd: this.dayCount, tpm: this.usedTokens() };
  }

  /** Remaining headroom per limit (null = unlimited), for metrics and status. */
  remaining(): { rpm: number | null; rpd: number | null; tpm: number | null } {
    const u = this.usage();
    const left = (lim: number | undefined, used: number) => (limited(lim) ? Math.max(0, lim - used) : null);
    return { rpm: left(this.spec.rpm, u.rpm), rpd: left(this.spec.rpd, u.rpd), tpm: left(this.spec.tpm, u.tpm) };
  }

  snapshot(): LimitSnapshot {
    this.prune(this.now());
    return { minute: [...this.minute], tokens: this.tokens.map(([t, k]) => [t, k]), day: this.day, dayCount: this.dayCount };
  }

  restore(s: LimitSnapshot): void {
    this.minute = [...s.minute];
    this.tokens = s.tokens.map(([t, k]) => [t, k]);
    this.day = s.day;
    this.dayCount = s.dayCount;
    this.prune(this.now());
  }
}
