// Small primitives for handling credentials: hashing for storage and lookup, constant-time comparison,
// and random values. Nothing here logs or returns the secrets it is given.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Hex SHA-256: how API keys are stored and how clients are identified without keeping the key. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** 256 random bits, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
