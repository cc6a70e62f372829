// Fake OpenRouter for the benchmark: fixed answers, so every target does the same upstream work and
// only proxy overhead differs. Runs as its own process so its CPU use is not charged to the driver.
//
// Env (defaults in brackets):
//   PORT [0 = any]            port on 127.0.0.1; the bound port is printed as `listening <port>`
//   FAKE_DELAY_MS [0]         wait before answering (before the first chunk when streaming)
//   FAKE_CHUNKS [5]           content chunks per stream
//   FAKE_CHUNK_GAP_MS [20]    wait between stream chunks
// Per request, headers `x-fake-delay-ms`, `x-fake-chunks`, `x-fake-chunk-gap-ms` (or the query
// parameters `delay_ms`, `chunks`, `chunk_gap_ms`) override these, for probing by hand; gateways do
// not forward them, so the driver relies on the env values, and changes the default delay for every
// target at once with `POST /bench/delay?ms=N` (its phase with a slow upstream).

const envInt = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};

const defaults = {
  delayMs: envInt("FAKE_DELAY_MS", 0),
  chunks: envInt("FAKE_CHUNKS", 5),
  gapMs: envInt("FAKE_CHUNK_GAP_MS", 20),
};

const created = Math.floor(Date.now() / 1000);
const model = "openai/gpt-4o-mini";

// ~1 KB, the size of a short real answer with usage details.
const completionBody = JSON.stringify({
  id: "chatcmpl-bench0000000000000000000000",
  object: "chat.completion",
  created,
  model,
  system_fingerprint: "fp_bench",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content:
          "Benchmark reply. This text stands in for a short model answer so that the response body is " +
          "about one kilobyte, like a typical non-streaming chat completion with a paragraph of text " +
          "and usage details. It is the same for every request so that caching gateways can be compared " +
          "fairly and no target pays for generating random content. The fake upstream never inspects " +
          "the request beyond the stream flag, which keeps its own cost constant across targets.",
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 96,
    total_tokens: 108,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
});

const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  sse({
    id: "chatcmpl-bench0000000000000000000000",
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: "fp_bench",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });

const streamEvents = (n: number): string[] => {
  const events: string[] = [];
  for (let i = 0; i < n; i++) {
    const delta: Record<string, unknown> = { content: `token${i} ` };
    if (i === 0) delta.role = "assistant";
    events.push(chunk(delta, i === n - 1 ? "stop" : null));
  }
  // OpenAI sends usage in a final chunk with empty choices when include_usage is set.
  events.push(
    sse({
      id: "chatcmpl-bench0000000000000000000000",
      object: "chat.completion.chunk",
      created,
      model,
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: n, total_tokens: 12 + n },
    }),
  );
  events.push("data: [DONE]\n\n");
  return events;
};

const override = (req: Request, url: URL, header: string, query: string, fallback: number) => {
  const raw = req.headers.get(header) ?? url.searchParams.get(query);
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};

const encoder = new TextEncoder();

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: envInt("PORT", 0),
  reusePort: false,
  async fetch(req) {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/health") return new Response("ok");
    if (req.method === "POST" && url.pathname === "/bench/delay") {
      defaults.delayMs = override(req, url, "x-fake-delay-ms", "ms", defaults.delayMs);
      return Response.json({ delay_ms: defaults.delayMs });
    }
    if (req.method !== "POST" || url.pathname !== "/api/v1/chat/completions") return new Response("not found", { status: 404 });

    const body = (await req.json().catch(() => null)) as { stream?: unknown } | null;
    if (!body) return Response.json({ error: { message: "invalid JSON" } }, { status: 400 });
    const delayMs = override(req, url, "x-fake-delay-ms", "delay_ms", defaults.delayMs);
    if (delayMs > 0) await Bun.sleep(delayMs);

    if (body.stream !== true) return new Response(completionBody, { headers: { "content-type": "application/json" } });

    const events = streamEvents(override(req, url, "x-fake-chunks", "chunks", defaults.chunks));
    const gapMs = override(req, url, "x-fake-chunk-gap-ms", "chunk_gap_ms", defaults.gapMs);
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // Gaps only between content chunks: usage and [DONE] follow the last one at once, as upstreams do.
        if (i > 0 && i < events.length - 2 && gapMs > 0) await Bun.sleep(gapMs);
        controller.enqueue(encoder.encode(events[i++]));
        if (i === events.length) controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  },
});

console.log(`listening ${server.port}`);
