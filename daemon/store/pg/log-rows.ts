// request_logs rows on Postgres: one row as bound values in a fixed column order (checked against
// the schema at open, as on SQLite).
import { getTableColumns } from "drizzle-orm";
import { checkLogColumns, LOG_COLUMNS, logBinder } from "../log-columns.ts";
import { requestLogs } from "./schema-logs.ts";

export const bindLog = logBinder((b) => b);

/** The request_logs column names and PG types in LOG_COLUMNS order; throws if the schema drifted. */
export function logColumnSpecs(): { name: string; type: string }[] {
  const columns = getTableColumns(requestLogs);
  checkLogColumns(Object.keys(columns));
  return LOG_COLUMNS.map((k) => ({ name: columns[k].name, type: columns[k].getSQLType().replace(/ COLLATE .*/, "") }));
}
