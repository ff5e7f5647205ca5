// Client key secrets: made here, shown once, stored only as their SHA-256. The registry hashes a
// presented token with the same `hashSecret` to find its key.
import { digest } from "../proxy/auth.ts";

export const SECRET_PREFIX = "sk-route-";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 32 base62 characters: about 190 bits of entropy. */
export const SECRET_CHARS = 32;
/** What is kept to recognise a key: "sk-route-" and 4 of its random characters (24 bits). */
export const VISIBLE_CHARS = SECRET_PREFIX.length + 4;

/** A new secret from the system's CSPRNG; rejection sampling keeps every character uniform. */
export function newSecret(): string {
  let out = SECRET_PREFIX;
  const buf = new Uint8Array(64);
  while (out.length < SECRET_PREFIX.length + SECRET_CHARS) {
    crypto.getRandomValues(buf);
    for (const b of buf) {
      if (b >= 248) continue; // 248 = 4 × 62: above it, some characters would come up more often
      out += ALPHABET[b % 62];
      if (out.length === SECRET_PREFIX.length + SECRET_CHARS) break;
    }
  }
  return out;
}

/** Hex SHA-256, computed as the proxy computes it for every presented key (auth.ts). */
export const hashSecret = (secret: string): string => Buffer.from(digest(secret)).toString("hex");
export const visiblePrefix = (secret: string): string => secret.slice(0, VISIBLE_CHARS);
