// Budget settlements waiting for the shared database: kept in order and retried until they land,
// so a request's hold is always released and its cost always added, even across an outage. Bounded
// by refusing new budgeted requests while it is full (`full`): what is queued then is only what
// requests already admitted still owe, so nothing is ever dropped from it.
export interface SettleQueueOptions<T> {
  run: (item: T) => Promise<void>;
  /** Past this many waiting items, `full` is true (admission refuses: fail closed). */
  max: number;
  /** A failed attempt, retried after a backoff. */
  onRetry?: (err: unknown) => void;
  baseMs?: number;
}

export function createSettleQueue<T>(o: SettleQueueOptions<T>) {
  const base = o.baseMs ?? 100;
  let items: (T | undefined)[] = [];
  let head = 0;
  let running: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const size = () => items.length - head;

  async function pump(): Promise<void> {
    while (size() > 0) {
      try {
        await o.run(items[head]!);
      } catch (err) {
        failures++;
        o.onRetry?.(err);
        timer = setTimeout(() => {
          timer = null;
          kick();
        }, Math.min(5000, base * 2 ** Math.min(failures, 6)));
        timer.unref?.();
        return;
      }
      failures = 0;
      items[head++] = undefined;
      if (head === items.length) (items = []), (head = 0);
    }
  }

  function kick(): Promise<void> {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    running ??= pump().finally(() => (running = null));
    return running;
  }

  return {
    push(item: T): void {
      items.push(item);
      if (timer === null) void kick(); // during a backoff, the retry picks it up in order
    },
    get size() {
      return size();
    },
    get full() {
      return size() >= o.max;
    },
    /**
     * Tries what is queued now, up to `attempts` times without waiting out the backoff, for at most
     * `deadlineMs` (a silent connection can hold a call for minutes; the call is not retried beside
     * itself, as a settlement is not idempotent); returns what is left (still retried).
     */
    async drain(attempts = 3, deadlineMs = 10_000): Promise<number> {
      const until = performance.now() + deadlineMs;
      const within = (p: Promise<void>) => {
        const left = until - performance.now();
        return left <= 0 ? Promise.resolve() : Promise.race([p, Bun.sleep(left)]);
      };
      for (let i = 0; i < attempts && size() > 0 && performance.now() < until; i++) {
        if (running) await within(running);
        if (performance.now() < until) await within(kick());
      }
      return size();
    },
    /** No more retries (at stop). */
    stop(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
