// Starts Portkey's published Node build (build/start-server.js, the package's `bin`) under Bun.
// Its server calls `listen(port)` with no host, i.e. on every interface; this benchmark may only bind
// loopback, so the host is forced to 127.0.0.1 before the build is loaded.
// Env: PORT, PORTKEY_ENTRY (absolute path of start-server.js, installed by run.ts into bench/.scratch).
import http from "node:http";

const entry = process.env.PORTKEY_ENTRY;
if (!entry) throw new Error("PORTKEY_ENTRY is not set");

type Listen = (...args: unknown[]) => http.Server;
const listen = http.Server.prototype.listen as unknown as Listen;
http.Server.prototype.listen = function (this: http.Server, ...args: unknown[]) {
  // listen(port, host?, backlog?, cb?): put the host in second place whatever @hono/node-server passed there.
  if (typeof args[0] === "number") {
    if (typeof args[1] === "function") args.splice(1, 0, "127.0.0.1");
    else args[1] = "127.0.0.1";
  }
  return listen.apply(this, args);
} as unknown as typeof http.Server.prototype.listen;

// --headless skips the log UI; the build reads its port from argv.
process.argv.push(`--port=${process.env.PORT}`, "--headless");
await import(entry);
