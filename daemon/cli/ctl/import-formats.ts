// `routectl import FILE`: upstreams from openai-api-route's upstreams.yaml (Route reads that format
// as is) or api-together's apis.json. api-together's rpm, rpd, models and modelMapping become Route's
// settings of the same meaning; the rest (the original id and name, …) is kept verbatim in `extra`.
import { z } from "zod";
import { methods } from "../../../shared/rpc/contract.ts";
import { UPSTREAM_NAME } from "../../../shared/upstream-fields.ts";
import { ConfigError, parseConfigText } from "../../config/load.ts";
import { fieldsFromFile } from "../../store/reconcile.ts";
import { CliError } from "./output.ts";

export type ImportedUpstream = z.output<(typeof methods)["upstreams.add"]["params"]>;

export interface ImportPlan {
  format: "api-together" | "route";
  upstreams: ImportedUpstream[];
  /** What was converted or left out, for the operator to read. */
  notes: string[];
}

const MASKED = /^\*{4}/;

/** api-together's baseUrl is the host; the client's /v1/... path is appended to it. */
export function endpointFromBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, "");
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** A Route name from api-together's id or name, when one fits Route's rules. */
function nameFor(entry: Record<string, unknown>): string | undefined {
  for (const v of [entry.id, entry.name]) {
    if (typeof v !== "string") continue;
    const slug = v.trim().replace(/\s+/g, "-").replace(/[^A-Za-z0-9._-]/g, "").replace(/^[._-]+/, "").slice(0, 64);
    if (UPSTREAM_NAME.test(slug)) return slug;
  }
  return undefined;
}

function fromApiTogether(file: string, doc: { apis: unknown[]; server?: Record<string, unknown> }): ImportPlan {
  const notes: string[] = [];
  if (doc.server?.apiKey !== undefined) notes.push("server.apiKey (the client key) is not imported: put it in `authorization` in upstreams.yaml");
  const problems: string[] = [];
  const upstreams = doc.apis.flatMap((raw, i) => {
    if (typeof raw !== "object" || raw === null) {
      problems.push(`${file}: apis[${i}]: must be an object`);
      return [];
    }
    const { baseUrl, apiKey, enabled, rpm, rpd, models, modelMapping, ...rest } = raw as Record<string, unknown>;
    const disabledByLimit = rpm === 0 || rpd === 0; // api-together: a limit of 0 disables the API
    // rpm, rpd, models and modelMapping are Route settings now (same meaning); the rest stays in extra.
    const candidate = {
      endpoint: typeof baseUrl === "string" ? endpointFromBaseUrl(baseUrl) : baseUrl,
      sk: apiKey,
      name: nameFor(rest),
      enabled: enabled === false || disabledByLimit ? false : true,
      rpm: rpm === undefined || rpm === -1 ? undefined : rpm,
      rpd: rpd === undefined || rpd === -1 ? undefined : rpd,
      models: Array.isArray(models) && models.length > 0 ? models : undefined,
      modelMapping: modelMapping && typeof modelMapping === "object" && Object.keys(modelMapping).length > 0 ? modelMapping : undefined,
      extra: Object.keys(rest).length > 0 ? rest : undefined,
    };
    if (disabledByLimit && enabled !== false) notes.push(`apis[${i}]: rpm or rpd is 0, which api-together treats as disabled: imported disabled`);
    const parsed = methods["upstreams.add"].params.safeParse(candidate);
    if (!parsed.success) {
      const original: Record<string, string> = { endpoint: "baseUrl", sk: "apiKey" };
      for (const issue of parsed.error.issues) problems.push(`${file}: apis[${i}].${original[String(issue.path[0])] ?? issue.path.join(".")}: ${issue.message}`);
      return [];
    }
    return [parsed.data];
  });
  if (problems.length > 0) throw new CliError(problems.join("\n"));
  // Two entries may slug to the same name ("备用API" and "第三方API" both give "API"): number them.
  const seen = new Map<string, number>();
  for (const u of upstreams) {
    if (!u.name) continue;
    const n = (seen.get(u.name) ?? 0) + 1;
    seen.set(u.name, n);
    if (n > 1) u.name = `${u.name.slice(0, 60)}-${n}`;
  }
  return { format: "api-together", upstreams, notes };
}

function fromRouteYaml(file: string, text: string): ImportPlan {
  let config;
  try {
    config = parseConfigText(file, text);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join("\n"));
    throw err;
  }
  const notes = config.authorization?.length ? ["authorization (client keys) is not imported: client keys live in upstreams.yaml"] : [];
  const upstreams = (config.upstreams ?? []).map((u) => ({ ...fieldsFromFile(u), endpoint: u.endpoint, sk: u.sk }) as ImportedUpstream);
  return { format: "route", upstreams, notes };
}

export function parseImportFile(file: string, text: string): ImportPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {}
  const plan =
    json && typeof json === "object" && Array.isArray((json as { apis?: unknown }).apis)
      ? fromApiTogether(file, json as { apis: unknown[] })
      : fromRouteYaml(file, text);
  if (plan.upstreams.some((u) => MASKED.test(u.sk))) {
    throw new CliError(`${file} holds masked keys (****…), as \`routectl export\` writes them: fill in the real keys, or export with --db`);
  }
  return plan;
}
