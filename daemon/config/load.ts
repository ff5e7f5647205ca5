import { existsSync, readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { configFileSchema, type ConfigFile } from "./schema.ts";

/** A config file that cannot be used; `problems` holds one line per problem: file, field, fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(top level)";
}

function describeIssue(file: string, issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map(
      (k) => `${file}: ${fieldPath([...issue.path, k])}: unknown field; remove it or check its spelling`,
    );
  }
  return [`${file}: ${fieldPath(issue.path)}: ${issue.message}`];
}

/** Parses config text (YAML, so JSON too). Throws ConfigError with every problem found. */
export function parseConfigText(file: string, text: string): ConfigFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : "(syntax)";
        return `${file}: ${where}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}; fix the YAML syntax there`;
      }),
    );
  }
  const raw = doc.toJS() ?? {};
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.flatMap((i) => describeIssue(file, i));
  // zod skips the duplicate-name refinement when an entry is invalid; report duplicates anyway.
  const names = Array.isArray(raw.upstreams) ? raw.upstreams.map((u: { name?: unknown }) => u?.name) : [];
  names.forEach((n: unknown, i: number) => {
    const line = `${file}: upstreams[${i}].name: "${n}" is used twice: give each upstream its own name`;
    if (typeof n === "string" && names.indexOf(n) < i && !lines.includes(line)) lines.push(line);
  });
  throw new ConfigError(lines);
}

/** Loads the upstreams file; a missing file is an empty config (openai-api-route starts without one too). */
export function loadConfigFile(file: string): { config: ConfigFile; found: boolean } {
  if (!existsSync(file)) return { config: {}, found: false };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as Error).message}); check its permissions`]);
  }
  return { config: parseConfigText(file, text), found: true };
}
