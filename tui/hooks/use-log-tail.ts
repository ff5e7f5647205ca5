// The Logs screen's live tail: logs.subscribe with the current filter, backfilled with logs.query
// when subscribed and after every reconnection (merged by id, so nothing is shown twice). At
// hundreds of requests a second, entries are collected and handed to React at most every
// `flushMs`, and the tail keeps only the latest `cap` of them.
import { useEffect, useRef, useState } from "react";
import type { LogSummaryView, Params } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { createLogTail, type LogTail } from "../log-tail.ts";
import { useSubscription } from "./use-subscription.ts";

export interface LogFilter {
  text?: string;
  upstream?: string;
  model?: string;
  status?: string;
  /** A client key's name. */
  key?: string;
}

export const BACKFILL = 200;

export function filterParams(f: LogFilter): Params<"logs.subscribe"> {
  const p: Params<"logs.subscribe"> = {};
  if (f.text) p.text = f.text;
  if (f.upstream) p.upstream = f.upstream;
  if (f.model) p.model = f.model;
  if (f.status) p.status = f.status;
  if (f.key) p.key = f.key;
  return p;
}

export function useLogTail(client: DaemonClient, generation: number, filter: LogFilter, cap: number, flushMs = 100) {
  const tail = useRef<LogTail>(null as never);
  tail.current ??= createLogTail(cap);
  const pending = useRef<LogSummaryView[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const params = filterParams(filter);
  const key = JSON.stringify(params);
  const currentKey = useRef(key);
  currentKey.current = key;

  const flush = () => {
    timer.current = undefined;
    const batch = pending.current;
    pending.current = [];
    if (tail.current.add(batch) > 0) setVersion((v) => v + 1);
  };

  useEffect(() => {
    tail.current.clear();
    pending.current = [];
    setVersion((v) => v + 1);
  }, [key]);

  useEffect(() => () => clearTimeout(timer.current), []);

  useSubscription(
    client,
    generation,
    "logs.subscribe",
    params,
    key,
    (e) => {
      const p = pending.current;
      p.push(e.entry);
      if (p.length > cap) tail.current.skipped(p.splice(0, p.length - cap).length); // a burst between flushes is capped too
      timer.current ??= setTimeout(flush, flushMs);
    },
    () => {
      const asked = key;
      client.call("logs.query", { ...params, limit: Math.min(cap, BACKFILL) }).then(
        (r) => {
          if (currentKey.current !== asked) return; // the filter changed meanwhile
          setError(null);
          if (tail.current.merge(r.entries) > 0) setVersion((v) => v + 1);
        },
        (err) => setError((err as Error).message),
      );
    },
  );

  return { entries: tail.current.entries, dropped: tail.current.dropped, received: tail.current.received, cap, error };
}
