// Client keys in e2e tests: created through the daemon's key service, as routectl creates them.
import OpenAI from "openai";
import type { Route } from "./harness.ts";
import { createKeyService } from "../keys/service.ts";
import { standingAtRest, type KeySettings } from "../keys/view.ts";
import type { Store } from "../store/types.ts";

export { hashSecret as keyHash } from "../keys/secret.ts";

/** Creates a key (the daemon's keys are reloaded before this returns); returns its secret, shown once. */
export async function addKey(r: Route, name: string, fields: Partial<KeySettings> = {}): Promise<string> {
  return (await r.daemon.keys.add({ name, ...fields })).secret;
}

export const clientFor = (r: Route, key: string) => new OpenAI({ apiKey: key, baseURL: `${r.url}/v1`, maxRetries: 0 });

/** Creates a key in a store no daemon runs on yet (as `routectl keys add --db` does); returns its secret. */
export async function insertKey(store: Store, name: string, fields: Partial<KeySettings> = {}): Promise<string> {
  const service = createKeyService({ store, standing: () => standingAtRest(undefined, Date.now()) });
  return (await service.add({ name, ...fields })).secret;
}
