// The one way a secret is shown anywhere (RPC, admin API, CLI): its last 4 characters at most.
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "****";
  return `****${secret.slice(-4)}`;
}
