// Where and how one upstream is called: the URL for a request path and the auth header. Built once
// per upstream when the pool is rebuilt, so the hot path only concatenates strings.
import type { UpstreamRecord } from "../store/types.ts";

export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

export interface UpstreamTarget {
  /** The upstream URL for a client path (`/v1/...`), query string and the model sent upstream. */
  url(path: string, search: string, model: string | null): string;
  /** The credential header: [name, value]. */
  readonly auth: readonly [string, string];
  /** Extra request headers configured for this upstream. */
  readonly headers: readonly (readonly [string, string])[];
}

export function compileTarget(u: Omit<UpstreamRecord, "groups">): UpstreamTarget {
  const headers = Object.entries(u.headers ?? {});
  if (u.type !== "azure") {
    return { url: (path, search) => u.endpoint + path.slice(3) + search, auth: ["authorization", `Bearer ${u.sk}`], headers };
  }
  // Azure OpenAI: {resource}/openai/deployments/{deployment}/chat/completions?api-version=…; the
  // (mapped) model names the deployment. Paths without a model (models, files) are account-level.
  const base = u.endpoint.replace(/\/openai$/, "") + "/openai";
  const version = `api-version=${encodeURIComponent(u.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`;
  return {
    url(path, search, model) {
      const rest = path.slice(3);
      const query = search ? `${search}&${version}` : `?${version}`;
      return model ? `${base}/deployments/${encodeURIComponent(model)}${rest}${query}` : `${base}${rest}${query}`;
    },
    auth: ["api-key", u.sk],
    headers,
  };
}
