// public/assets/ (stylesheet, icon) at /assets/*, through @elysiajs/static. The compiled binary embeds
// the folder with `--asset public` beside its entry point in Bun's virtual file system (/$bunfs/root);
// a production build bakes import.meta.dir in as the build machine's path, so only Bun.main tells the
// two cases apart. In a checkout the folder is two levels up from src/plugins.
import { staticPlugin } from "@elysiajs/static";
import { dirname, join } from "node:path";

const COMPILED = Bun.main.startsWith("/$bunfs/");
const PUBLIC_DIR = COMPILED ? join(dirname(Bun.main), "public") : join(import.meta.dir, "..", "..", "public");

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
