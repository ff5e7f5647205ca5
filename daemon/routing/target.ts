// Where and how one upstream is called: the URL for a request path, the auth header and the wire
// format it speaks. Built once per upstream when the pool is rebuilt, so the hot path only
// concatenates strings.
import type { UpstreamRecord } from "../store/types.ts";

export const DEFAULT_AZURE_API_VERSION = "2024-10-21";
/** The Messages API version sent to Anthropic upstreams unless the client names its own. */
export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

import type { WireFormat } from "../adapters/types.ts";

type HeaderList = readonly (readonly [string, string])[];

export interface UpstreamTarget {
  /** The upstream URL for a client path (`/v1/...`), query string and the model sent upstream. */
  url(path: string, search: string, model: string | null): string;
  /** The credential header: [name, value]. */
  readonly auth: readonly [string, string];
  /** Extra request headers configured for this upstream. */
  readonly headers: HeaderList;
  /** Headers (lower-case names) sent unless the client sent its own: `anthropic-version`. */
  readonly defaultHeaders: HeaderList;
  /** The request/response format it speaks: the proxy picks its adapter from it. */
  readonly wire: WireFormat;
}

const NONE: HeaderList = Object.freeze([]);
/** `{endpoint}/…` for a client's `/v1/…`: OpenAI, Anthropic (endpoint …/v1) and Gemini (…/v1beta/openai) alike. */
const underEndpoint = (endpoint: string) => (path: string, search: string) => endpoint + path.slice(3) + search;

export function compileTarget(u: Omit<UpstreamRecord, "groups">): UpstreamTarget {
  const headers = Object.entries(u.headers ?? {});
  switch (u.type) {
    case "azure":
      return azureTarget(u, headers);
    case "anthropic": {
      // A configured anthropic-version header wins over the default (it is sent after the client's).
      const pinned = headers.some(([k]) => k.toLowerCase() === "anthropic-version");
      const defaultHeaders = pinned ? NONE : Object.freeze([["anthropic-version", DEFAULT_ANTHROPIC_VERSION] as const]);
      return { url: underEndpoint(u.endpoint), auth: ["x-api-key", u.sk], headers, defaultHeaders, wire: "anthropic" };
    }
    case "gemini":
      // Google's OpenAI-compatible endpoint; the key goes in a header, never in the URL (`?key=`), so it stays out of logs.
      return { url: underEndpoint(u.endpoint), auth: ["x-goog-api-key", u.sk], headers, defaultHeaders: NONE, wire: "openai" };
    default:
      return { url: underEndpoint(u.endpoint), auth: ["authorization", `Bearer ${u.sk}`], headers, defaultHeaders: NONE, wire: "openai" };
  }
}

// Azure OpenAI: {resource}/openai/deployments/{deployment}/chat/completions?api-version=…; the
// (mapped) model names the deployment. Paths without a model (models, files) are account-level.
function azureTarget(u: Omit<UpstreamRecord, "groups">, headers: HeaderList): UpstreamTarget {
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
    defaultHeaders: NONE,
    wire: "openai",
  };
}
