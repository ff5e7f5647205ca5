// keys.*: thin adapters from the contract to the key service. Secrets appear only in the answers
// of keys.add and keys.rotate.
import type { KeyService } from "../../keys/service.ts";
import type { Handlers } from "../server.ts";

export function keyMethods(keys: KeyService) {
  return {
    "keys.list": async () => ({ keys: await keys.list() }),
    "keys.get": async (p) => keys.get(p.key),
    "keys.add": async ({ name, ...settings }) => keys.add({ name, ...settings }),
    "keys.update": async (p) => keys.update(p.key, p.patch),
    "keys.enable": async (p) => keys.setEnabled(p.key, true),
    "keys.disable": async (p) => keys.setEnabled(p.key, false),
    "keys.remove": async (p) => keys.remove(p.key),
    "keys.rotate": async (p) => keys.rotate(p.key, p.graceMs),
    "keys.usage": async (p) => keys.usage(p),
    "keys.adjust": async ({ key, ...a }) => keys.adjust(key, a),
    "keys.export": async () => ({ keys: await keys.export() }),
    "keys.import": async (p) => keys.import(p.keys, p.replace),
  } satisfies Partial<Handlers>;
}
