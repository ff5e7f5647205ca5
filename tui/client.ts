// What route-tui needs from the control-socket client: exactly the surface of
// shared/rpc/client.ts, so the real client is passed in production and a fake one in tests.
import type { RpcClient } from "../shared/rpc/client.ts";

export type DaemonClient = Pick<RpcClient, "state" | "socketPath" | "connect" | "call" | "subscribe" | "onState" | "close">;
export type { ConnectionState, Subscription } from "../shared/rpc/client.ts";
