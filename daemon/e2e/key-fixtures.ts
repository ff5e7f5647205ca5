// Client keys in e2e tests: stored as the key service stores them (hash and prefix only).
import OpenAI from "openai";
import type { Route } from "./harness.ts";
import type { NewClientKey, Store } from "../store/types.ts";

export const KEY_DEFAULTS: NewClientKey = {
  name: "",
  prefix: "",
  hash: "",
  prevHash: null,
  prevValidUntil: null,
  enabled: true,
  expiresAt: null,
  models: null,
  groups: null,
  allowIps: null,
  rpm: null,
  rpd: null,
  tpm: null,
  maxInflight: null,
  budgetMicros: null,
  budgetWindow: "total",
  softBudgetMicros: null,
  allowPinning: false,
  note: null,
};

export const keyHash = (secret: string) => Buffer.from(Bun.SHA256.hash(secret) as Uint8Array).toString("hex");

/** Inserts a key into the store and returns its secret (the daemon sees it after a reload of keys). */
export async function insertKey(store: Store, name: string, fields: Partial<NewClientKey> = {}): Promise<string> {
  const secret = `sk-route-${name}-${crypto.randomUUID()}`;
  await store.insertKey({ ...KEY_DEFAULTS, name, prefix: secret.slice(0, 12), hash: keyHash(secret), ...fields });
  return secret;
}

/** Stores a key and reloads the daemon's keys; returns its secret. */
export async function addKey(r: Route, name: string, fields: Partial<NewClientKey> = {}): Promise<string> {
  const secret = await insertKey(r.daemon.store, name, fields);
  await r.daemon.reloadKeys();
  return secret;
}

export const clientFor = (r: Route, key: string) => new OpenAI({ apiKey: key, baseURL: `${r.url}/v1`, maxRetries: 0 });
