// GET /admin: the admin page, embedded in the binary. Its one inline script is allowed by hash in a
// strict Content-Security-Policy, so nothing else can run on a page that holds an admin token.
import { createHash } from "node:crypto";
import { Elysia } from "elysia";
import adminPageFile from "../../public/admin.html" with { type: "file" };

// With `type: "file"` the import is the file's path (embedded in the compiled binary), not an HTML bundle.
const adminPage = adminPageFile as unknown as string;

export function adminPageRoutes() {
  let csp: Promise<string> | undefined;
  return new Elysia().get("/admin", async () => {
    csp ??= Bun.file(adminPage).text().then(policyFor);
    return new Response(Bun.file(adminPage), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": await csp,
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
      },
    });
  }, { detail: { summary: "Admin page", tags: ["Admin"] } });
}

function policyFor(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`);
  return `default-src 'none'; script-src ${scripts.join(" ")}; style-src 'self'; connect-src 'self'; img-src 'self'; `
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}
