// placeholder: replaced by the lead's registry (see the K helper's prompt)
import type { ClientKeyRecord } from "../store/types.ts";
export interface KeyEntry {
  readonly id: number;
  readonly name: string;
  readonly record: ClientKeyRecord;
}
