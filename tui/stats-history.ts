// What the Stats screen draws: every stats.tick kept as a point per upstream (requests/s, p50
// latency, error rate) for the last 15 minutes, bucketed into as many cells as the terminal has
// room for. Buckets with no tick (routed was down) stay empty rather than being invented.
import type { StatsView } from "../shared/rpc/contract.ts";

export interface Point {
  ts: number;
  rps: number;
  latency: number | null;
  errorRate: number | null;
}

export const HISTORY_S = 15 * 60;
export const SPANS_S = [60, 300, 900];

export function createStatsHistory(keepS = HISTORY_S) {
  const byUpstream = new Map<number, Point[]>();
  return {
    add(stats: StatsView): void {
      const live = new Set<number>();
      for (const u of stats.upstreams) {
        live.add(u.id);
        const points = byUpstream.get(u.id) ?? [];
        points.push({ ts: stats.ts, rps: u.rps, latency: u.latencyMs?.p50 ?? null, errorRate: u.errorRate });
        const from = stats.ts - keepS * 1000;
        let cut = 0;
        while (cut < points.length && points[cut]!.ts < from) cut++;
        byUpstream.set(u.id, cut ? points.slice(cut) : points);
      }
      for (const id of byUpstream.keys()) if (!live.has(id)) byUpstream.delete(id); // removed upstreams
    },
    points(id: number): Point[] {
      return byUpstream.get(id) ?? [];
    },
  };
}

export type StatsHistory = ReturnType<typeof createStatsHistory>;

/** `width` bucket means of `pick` over the `spanS` seconds before `now`; null where nothing was seen. */
export function bucket(points: Point[], pick: (p: Point) => number | null, now: number, spanS: number, width: number): (number | null)[] {
  const sums = new Array<number>(width).fill(0);
  const counts = new Array<number>(width).fill(0);
  const start = now - spanS * 1000;
  for (const p of points) {
    if (p.ts <= start || p.ts > now) continue;
    const v = pick(p);
    if (v === null) continue;
    const i = Math.min(width - 1, Math.floor(((p.ts - start) / (spanS * 1000)) * width));
    sums[i]! += v;
    counts[i]!++;
  }
  // Ticks come about once a second, with jitter, so a narrow cell can fall between two of them:
  // it takes the nearer one when the two are at most 2.5 s apart. A longer silence (routed was
  // down) stays empty.
  const cellMs = (spanS * 1000) / width;
  return sums.map((s, i) => {
    if (counts[i]) return s / counts[i]!;
    const mid = start + (i + 0.5) * cellMs;
    const next = points.findIndex((p) => p.ts > mid);
    const after = next >= 0 ? points[next] : undefined;
    const before = next > 0 ? points[next - 1] : next < 0 ? points.at(-1) : undefined;
    if (!before || !after || after.ts - before.ts > 2500) return null;
    return pick(mid - before.ts <= after.ts - mid ? before : after);
  });
}

/** One glyph per value, scaled to the largest (so shape is visible at any level); gaps are spaces. */
export function sparkline(values: (number | null)[], glyphs: string[]): string {
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  return values
    .map((v) => {
      if (v === null) return " ";
      if (max === 0) return glyphs[0]!;
      return glyphs[Math.min(glyphs.length - 1, Math.round((v / max) * (glyphs.length - 1)))]!;
    })
    .join("");
}
