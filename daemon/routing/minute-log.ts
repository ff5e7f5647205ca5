// The sliding minute behind RPM/TPM and the usage figures: every admission's time where a limit
// decides (MinuteLog), or counts per second where only usage is shown (SecondLog: 60 buckets
// instead of one entry per request, 720,000 of them in a minute at 12,000 req/s).

export const MINUTE = 60_000;

export interface SlidingMinute {
  /** Admissions in the minute. */
  readonly length: number;
  /** Tokens of the admissions in the minute. */
  readonly sum: number;
  /** Time of the i-th oldest admission in the minute. */
  at(i: number): number;
  /** Counts an admission; returns its sequence number for a later token correction. */
  push(t: number, tokens: number): number;
  /** Adds `delta` tokens to an admission still in the minute. */
  correct(seq: number, delta: number): void;
  prune(t: number): void;
  /** [second start, admissions, tokens] per second of the minute, oldest first. */
  seconds(): [number, number, number][];
}

/**
 * A sliding minute of [time, tokens] entries as two parallel arrays with a moving head: amortised
 * O(1) per request whatever the traffic (Array#shift is O(n) on large arrays), and no object per
 * entry. Entries are addressed by sequence number so a later token correction finds its own.
 */
export class MinuteLog implements SlidingMinute {
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
  correct(seq: number, delta: number): void {
    const i = seq - this.base;
    if (i < this.head || i >= this.tokens.length) return; // already out of the minute
    this.sum += delta;
    this.tokens[i]! += delta;
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
  /** The live entries summed per second of admission: [second start, requests, tokens]. */
  seconds(): [number, number, number][] {
    const out: [number, number, number][] = [];
    let last: [number, number, number] | null = null;
    for (let i = this.head; i < this.times.length; i++) {
      const t = this.times[i]!;
      const second = t - (t % 1000);
      if (last === null || last[0] !== second) out.push((last = [second, 0, 0]));
      last[1]++;
      last[2] += this.tokens[i]!;
    }
    return out;
  }
}

/** Admissions counted per second: what usage needs, in constant memory whatever the traffic. */
export class SecondLog implements SlidingMinute {
  private starts: number[] = [];
  private counts: number[] = [];
  private tokens: number[] = [];
  private head = 0; // index of the oldest second in the minute
  private base = 0; // sequence number of index 0
  length = 0;
  sum = 0;

  at(i: number): number {
    for (let j = this.head; j < this.starts.length; j++) {
      if (i < this.counts[j]!) return this.starts[j]!;
      i -= this.counts[j]!;
    }
    return this.starts[this.starts.length - 1] ?? 0;
  }
  push(t: number, k: number): number {
    const second = t - (t % 1000);
    let i = this.starts.length - 1;
    if (i < this.head || this.starts[i] !== second) {
      this.starts.push(second);
      this.counts.push(0);
      this.tokens.push(0);
      i++;
    }
    this.counts[i]!++;
    this.tokens[i]! += k;
    this.length++;
    this.sum += k;
    return this.base + i;
  }
  correct(seq: number, delta: number): void {
    const i = seq - this.base;
    if (i < this.head || i >= this.tokens.length) return; // already out of the minute
    this.tokens[i]! += delta;
    this.sum += delta;
  }
  prune(t: number): void {
    while (this.head < this.starts.length && t - this.starts[this.head]! >= MINUTE) {
      this.length -= this.counts[this.head]!;
      this.sum -= this.tokens[this.head]!;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.tokens = this.tokens.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
  seconds(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let i = this.head; i < this.starts.length; i++) out.push([this.starts[i]!, this.counts[i]!, this.tokens[i]!]);
    return out;
  }
}

