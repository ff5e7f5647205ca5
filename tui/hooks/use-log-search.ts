// The Logs screen's search results: logs.query with `search` and the filters, newest first, one
// page at a time from routed (not the in-memory tail); `more()` asks for the page after the last
// one shown, with the cursor routed gave. At most `cap` entries are kept: past that, no more pages.
import { useEffect, useRef, useState } from "react";
import type { LogSummaryView, Params } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";

export const SEARCH_PAGE = 100;
export type SearchQuery = Omit<Params<"logs.query">, "before" | "limit">;

interface State {
  entries: LogSummaryView[];
  next: string | null;
  loading: boolean;
  error: string | null;
}
const EMPTY: State = { entries: [], next: null, loading: false, error: null };

export function useLogSearch(client: DaemonClient, query: SearchQuery | null, cap = 5000) {
  const [state, setState] = useState<State>(EMPTY);
  const key = query === null ? null : JSON.stringify(query);
  const current = useRef(key);
  current.current = key;
  const loading = useRef(false);

  const load = (before: string | undefined) => {
    if (query === null || loading.current) return;
    const asked = key;
    loading.current = true;
    setState((s) => ({ ...s, loading: true }));
    client.call("logs.query", { ...query, before, limit: SEARCH_PAGE }).then(
      (r) => {
        if (current.current !== asked) return; // the search changed meanwhile
        loading.current = false;
        setState((s) => {
          const entries = before === undefined ? r.entries : s.entries.concat(r.entries);
          return { entries, next: entries.length >= cap ? null : r.next, loading: false, error: null };
        });
      },
      (err) => {
        if (current.current !== asked) return;
        loading.current = false;
        setState((s) => ({ ...s, loading: false, error: (err as Error).message }));
      },
    );
  };

  useEffect(() => {
    loading.current = false;
    setState(EMPTY);
    load(undefined);
  }, [key]);

  return {
    ...state,
    /** The next page, if there is one and none is on its way. */
    more: () => state.next !== null && load(state.next),
  };
}
