// public/assets/ (stylesheet, icon) at /assets/*, through @elysiajs/static. In the compiled binary the
// folder is embedded with `--asset public` and every module's import.meta.dir is the bundle root
// (/$bunfs/root), so the folder sits beside it there, and two levels up from src/plugins in a checkout.
import { staticPlugin } from "@elysiajs/static";
import { join } from "node:path";

const COMPILED = import.meta.dir.startsWith("/$bunfs/");
const PUBLIC_DIR = COMPILED ? join(import.meta.dir, "public") : join(import.meta.dir, "..", "..", "public");

export function staticAssets() {
  return staticPlugin({
    assets: join(PUBLIC_DIR, "assets"),
    prefix: "/assets",
    // A fixed set of files known at start-up: routes are registered once, not looked up per request.
    alwaysStatic: true,
    maxAge: 3600,
    indexHTML: false,
    detail: { hide: true },
  });
}
