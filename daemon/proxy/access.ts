// Keys other than the client keys: the admin key (HTTP admin API, full /v1/status) and the metrics
// key. Each is its own checker, so a client key opens neither unless that same string is configured
// for it. The config's keys are swapped on reload; the admin key from --admin-key-file stays.
import type { ConfigFile } from "../config/schema.ts";
import { createKeyChecker } from "./auth.ts";
import { errorResponse } from "./openai-error.ts";

export const ADMIN_OFF_HINT =
  "the admin API is off: set `admin_authorization` in upstreams.yaml or start routed with --admin-key-file FILE (routectl and the control socket need neither)";

export function createAccess(config: ConfigFile, adminKeyFromFlag: string | null = null) {
  const admin = createKeyChecker([]);
  const metrics = createKeyChecker([]);
  const apply = (c: ConfigFile) => {
    admin.set([...(c.admin_authorization ?? []), ...(adminKeyFromFlag ? [adminKeyFromFlag] : [])]);
    metrics.set(c.metrics_authorization ?? []);
  };
  apply(config);
  /** Does the header carry a valid admin key? (never throws) */
  const isAdmin = (authorization: string | null) => {
    if (!admin.configured) return false;
    try {
      admin.check(authorization);
      return true;
    } catch {
      return false;
    }
  };
  return {
    apply,
    isAdmin,
    /** null: go ahead; else the refusal (404 while no admin key is configured, 401 for a wrong one). */
    adminRefusal(authorization: string | null): Response | null {
      if (!admin.configured) return errorResponse(404, "not_found", ADMIN_OFF_HINT);
      return isAdmin(authorization) ? null : errorResponse(401, "invalid_api_key", "the admin API needs the admin key (`admin_authorization`), not a client key");
    },
    /** null: go ahead (no metrics key configured, or the right one given); else a 401. */
    metricsRefusal(authorization: string | null): Response | null {
      if (!metrics.configured) return null;
      try {
        metrics.check(authorization);
        return null;
      } catch {
        return errorResponse(401, "invalid_api_key", "/metrics needs the metrics key (`metrics_authorization`)");
      }
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
