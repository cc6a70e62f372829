// The ADMIN_TOKEN check for automation: a bearer token compared in constant time (as SHA-256 digests,
// so neither the length nor the content leaks through timing).
import { timingSafeEqual } from "node:crypto";

const digest = (value: string) => new Bun.CryptoHasher("sha256").update(value).digest();

export function adminTokenMatcher(adminToken: string | undefined): (request: Request) => boolean {
  if (!adminToken) return () => false;
  const expected = digest(adminToken);
  return (request) => {
    const auth = request.headers.get("authorization");
    return !!auth?.startsWith("Bearer ") && timingSafeEqual(digest(auth.slice(7)), expected);
  };
}
