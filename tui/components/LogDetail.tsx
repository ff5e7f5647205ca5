// One request in full (logs.get), scrollable. The record is read once when opened: a finished
// request does not change.
import { Text } from "ink";
import { useEffect, useMemo, useState } from "react";
import type { LogRecordView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { recordLines } from "../log-record.ts";
import { useTheme } from "../theme.ts";
import { ScrollView } from "./ScrollView.tsx";

export function LogDetail({ client, id, width, height, onClose, active }: { client: DaemonClient; id: string; width: number; height: number; onClose: () => void; active: boolean }) {
  const theme = useTheme();
  const [record, setRecord] = useState<LogRecordView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    client.call("logs.get", { id }).then(
      (r) => alive && setRecord(r),
      (err) => alive && setError((err as Error).message),
    );
    return () => {
      alive = false;
    };
  }, [client, id]);
  useKeys("view", { close: onClose }, active && !record);
  const lines = useMemo(() => (record ? recordLines(record, width, theme.glyph.hr) : []), [record, width, theme]);
  if (!record) {
    return (
      <Text color={theme.fg(error ? "error" : "muted")} wrap="truncate">
        {error ? `request ${id}: ${error} (esc to go back)` : `loading request ${id}...`}
      </Text>
    );
  }
  return <ScrollView title={`Request ${record.id}`} lines={lines} width={width} height={height} onClose={onClose} active={active} />;
}
