// Which models an upstream serves, and under which name. `models` entries may be globs ("gpt-4o*");
// an empty list serves anything. `model_mapping` maps a requested name to the upstream's own name;
// a mapped name is served even if `models` does not list it.

export interface ModelRules {
  models: readonly string[];
  mapping: Readonly<Record<string, string>>;
}

export interface ModelMatcher {
  /**
   * The name to send upstream for `requested`; `undefined` if this upstream does not serve it.
   * Requests without a model (files, batches…) are served by every upstream and keep `null`.
   */
  resolve(requested: string | null): string | null | undefined;
  /** Concrete model names this upstream advertises (globs omitted, mapping keys included). */
  advertised(): string[];
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export function compileModelRules(rules: ModelRules): ModelMatcher {
  const exact = new Set(rules.models.filter((m) => !/[*?]/.test(m)));
  const globs = rules.models.filter((m) => /[*?]/.test(m)).map(globToRegExp);
  const any = rules.models.length === 0;
  const mapping = new Map(Object.entries(rules.mapping));
  return {
    resolve(requested) {
      if (requested === null) return null;
      const mapped = mapping.get(requested);
      if (mapped !== undefined) return mapped;
      if (any || exact.has(requested) || globs.some((g) => g.test(requested))) return requested;
      return undefined;
    },
    advertised: () => [...new Set([...exact, ...mapping.keys()])],
  };
}
