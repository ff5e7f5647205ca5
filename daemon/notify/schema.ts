// The `notify:` block of upstreams.yaml. Each channel kind takes one entry or a list.
import { z } from "zod";
import { parseDurationMs } from "../../shared/duration.ts";
import { EVENT_TYPES } from "./events.ts";

const httpUrl = (what: string) =>
  z.string({ message: `is required: ${what}` }).refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), { message: `must be an http(s) URL: ${what}` });

const events = z
  .array(z.enum(EVENT_TYPES, { message: `must be one of: ${EVENT_TYPES.join(", ")}` }))
  .optional()
  .describe("event types this channel receives; default all");

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: "must be letters, digits, '.', '_' or '-'" }).optional();

const feishu = z.strictObject({ name, webhook: httpUrl("the bot's webhook URL"), secret: z.string().optional(), events });
const matrix = z.strictObject({
  name,
  homeserver: httpUrl("the homeserver URL, e.g. https://matrix.org"),
  token: z.string({ message: "is required: an access token of the bot user" }).min(1),
  room: z.string({ message: "is required: the room id, e.g. !abc:matrix.org" }).min(1),
  events,
});
const webhook = z.strictObject({ name, url: httpUrl("where to POST the event JSON"), token: z.string().optional(), events });

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDurationMs(v);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: "custom", message: 'must be a positive duration, e.g. "5m"' });
    return z.NEVER;
  }
  return ms;
});

export const notifySchema = z.strictObject({
  window: duration.optional().describe("grouping window per (event type, upstream or key); default 5m"),
  hourly_cap: z.number().int().positive().optional().describe("messages per channel per hour; default 30"),
  include_excerpt: z.boolean().optional().describe("add a short request excerpt to request_failed; default false"),
  feishu: oneOrMany(feishu).optional(),
  matrix: oneOrMany(matrix).optional(),
  webhook: oneOrMany(webhook).optional(),
});

export type NotifyConfig = z.infer<typeof notifySchema>;
