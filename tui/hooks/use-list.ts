// A list read from routed (upstreams, keys): read on every (re)connection and when asked, one
// read at a time (asked again meanwhile: one more read after it), the last error kept.
import { useCallback, useEffect, useRef, useState } from "react";
import type { DaemonClient } from "../client.ts";

export function useList<T>(client: DaemonClient, generation: number, read: (client: DaemonClient) => Promise<T[]>) {
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const again = useRef(false);

  const refresh = useCallback(async () => {
    if (busy.current) return void (again.current = true);
    busy.current = true;
    try {
      do {
        again.current = false;
        setList(await read(client));
        setError(null);
      } while (again.current);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      busy.current = false;
    }
  }, [client]);

  useEffect(() => {
    if (generation > 0) void refresh();
  }, [generation, refresh]);

  return { list, setList, refresh, error };
}
