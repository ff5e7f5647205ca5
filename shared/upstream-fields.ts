// How an upstream's name and endpoint are validated, wherever they come from: upstreams.yaml,
// the admin API, the control socket, routectl's arguments. One definition, one set of messages.
import { z } from "zod";

export const UPSTREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const upstreamNameSchema = z.string().regex(UPSTREAM_NAME, {
  message: "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
});

export const endpointSchema = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v), {
    message: "must be an http(s) URL ending in the API base, such as https://api.openai.com/v1",
  })
  .transform((v) => v.replace(/\/+$/, ""));

/** An upstream's label where it has no name: used in headers, logs, metrics and tables. */
export const upstreamLabel = (u: { id: number; name: string | null }) => u.name ?? `#${u.id}`;
