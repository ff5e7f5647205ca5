// Flag values that need parsing: listen addresses and byte sizes (shared/size.ts).

export function parseAddr(addr: string): { hostname: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port };
}

export { parseSize } from "../../shared/size.ts";
