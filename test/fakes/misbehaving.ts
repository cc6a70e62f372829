// An OpenAI-compatible upstream that misbehaves on demand, written on raw TCP so it can break HTTP itself
// (Bun.serve would correct a lying Content-Length). Each request to /v1/chat/completions or
// /v1/embeddings is answered by the current fault:
//   huge        a 200 JSON body of `bytes` bytes (valid JSON, far larger than any sane answer), with its
//               Content-Length, chunked (no length to refuse it by; `declared` adds a small Content-Length
//               beside it, which HTTP says to ignore), or gzipped (a small Content-Length that inflates to `bytes`)
//   trickle     a valid SSE answer sent one byte every `gapMs`
//   stall       one SSE chunk, then nothing, with the connection held open
//   endless     SSE keep-alive comments every `gapMs`, forever, never an event
//   garbage     one SSE chunk, then bytes that are no SSE event, without end
//   lying-length  Content-Length larger than the body sent, then the connection held open ("hold") or closed
//   ok          a normal answer (JSON, or SSE when the request asked for a stream)
// A request whose model is "fault-<kind>" (fault-huge, fault-lying-length-hold ...) gets that fault
// whatever the current one, so a mixed load can hit several at once. It records every request and counts
// the connections still open, so tests can check that the gateway let go.
import net from "node:net";

export type Fault =
  | { kind: "ok" }
  | { kind: "huge"; bytes: number; chunked?: boolean; declared?: number; gzip?: boolean }
  | { kind: "trickle"; gapMs: number }
  | { kind: "stall" }
  | { kind: "endless"; gapMs: number }
  | { kind: "garbage" }
  | { kind: "lying-length"; then: "hold" | "close" };

export interface MisbehavingUpstream {
  /** As a custom provider's baseUrl: http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  fault: Fault;
  requests: Array<{ path: string; body: string }>;
  /** Connections the gateway still holds open. */
  openConnections(): number;
  stop(): Promise<void>;
}

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const completion = JSON.stringify({
  id: "x", object: "chat.completion", created: 1, model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const embeddings = JSON.stringify({ object: "list", model: "m", data: [{ object: "embedding", index: 0, embedding: [0.5, 0.25] }], usage: { prompt_tokens: 1, total_tokens: 1 } });

/** The faults a model name can ask for, with the sizes and paces a mixed load uses. */
export const MODEL_FAULTS: Record<string, Fault> = {
  "huge": { kind: "huge", bytes: 65 * 1024 * 1024 },
  "trickle": { kind: "trickle", gapMs: 2 },
  "stall": { kind: "stall" },
  "endless": { kind: "endless", gapMs: 100 },
  "garbage": { kind: "garbage" },
  "lying-length-close": { kind: "lying-length", then: "close" },
  "lying-length-hold": { kind: "lying-length", then: "hold" },
};
const faultOf = (name: string | undefined): Fault | undefined => (name !== undefined && Object.hasOwn(MODEL_FAULTS, name) ? MODEL_FAULTS[name] : undefined);

export async function startMisbehavingUpstream(): Promise<MisbehavingUpstream> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  const requests: MisbehavingUpstream["requests"] = [];

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString("latin1");
      const headEnd = buffered.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const head = buffered.slice(0, headEnd);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      const body = buffered.slice(headEnd + 4, headEnd + 4 + length);
      buffered = "";
      const path = head.split(" ")[1] ?? "";
      requests.push({ path, body });
      answer(socket, path, body);
    });
  });

  const every = (ms: number, tick: () => boolean | void, socket: net.Socket) => {
    const timer = setInterval(() => {
      if (socket.destroyed || tick() === false) {
        clearInterval(timer);
        timers.delete(timer);
      }
    }, ms);
    timers.add(timer);
  };

  function answer(socket: net.Socket, path: string, body: string): void {
    const stream = /"stream"\s*:\s*true/.test(body);
    const fault = faultOf(/"model"\s*:\s*"fault-([\w-]+)"/.exec(body)?.[1]) ?? upstream.fault;
    const head = (type: string, extra = "") => `HTTP/1.1 200 OK\r\nContent-Type: ${type}\r\n${extra}\r\n`;
    const sse = () => socket.write(head("text/event-stream", "Transfer-Encoding: chunked\r\n"));
    const send = (text: string) => !socket.destroyed && socket.write(`${Buffer.byteLength(text, "latin1").toString(16)}\r\n${text}\r\n`, "latin1");
    const ok = path.endsWith("/embeddings") ? embeddings : completion;
    switch (fault.kind) {
      case "ok":
        if (!stream) return void socket.write(head("application/json", `Content-Length: ${ok.length}\r\n`) + ok);
        sse();
        send(chunk("fine") + chunk("", "stop") + "data: [DONE]\n\n");
        return void socket.write("0\r\n\r\n");
      case "huge": {
        if (fault.gzip) {
          const packed = Bun.gzipSync(Buffer.from(`{"data":[${"1,".repeat((fault.bytes - 12) / 2)}1]}`));
          socket.write(head("application/json", `Content-Encoding: gzip\r\nContent-Length: ${packed.byteLength}\r\n`));
          return void socket.end(packed);
        }
        // One array of numbers as long as asked: valid JSON, sent in 64 KB writes as the socket drains.
        const piece = "1,".repeat(32 * 1024);
        const write = (text: string) => (fault.chunked ? send(text) : socket.write(text));
        const framing = fault.chunked ? `Transfer-Encoding: chunked\r\n${fault.declared === undefined ? "" : `Content-Length: ${fault.declared}\r\n`}` : `Content-Length: ${fault.bytes}\r\n`;
        socket.write(head("application/json", framing));
        write(`{"data":[`);
        let sent = 9;
        const more = () => {
          while (!socket.destroyed && sent + piece.length + 3 < fault.bytes) {
            sent += piece.length;
            if (!write(piece)) return void socket.once("drain", more);
          }
          if (socket.destroyed) return;
          write("1]}".padStart(fault.bytes - sent, " "));
          if (fault.chunked) socket.end("0\r\n\r\n");
          else socket.end();
        };
        return more();
      }
      case "trickle": {
        if (!stream) return void socket.write(head("application/json", `Content-Length: ${ok.length}\r\n`) + ok);
        sse();
        const text = chunk("slow") + chunk("", "stop") + "data: [DONE]\n\n";
        let at = 0;
        return every(fault.gapMs, () => {
          if (at >= text.length) {
            socket.write("0\r\n\r\n");
            return false;
          }
          send(text[at++]);
        }, socket);
      }
      case "stall":
        sse();
        send(chunk("first and last"));
        return;
      case "endless":
        sse();
        return every(fault.gapMs, () => void send(": keep-alive\n\n"), socket);
      case "garbage":
        sse();
        send(chunk("before the garbage"));
        return every(5, () => void send("\u0000\u00ff garbage without any blank line "), socket);
      case "lying-length": {
        const partial = ok.slice(0, 20);
        socket.write(head(stream ? "text/event-stream" : "application/json", `Content-Length: ${ok.length + 1000}\r\n`) + partial);
        if (fault.then === "close") socket.end();
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const upstream: MisbehavingUpstream = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    fault: { kind: "ok" },
    requests,
    openConnections: () => sockets.size,
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}
