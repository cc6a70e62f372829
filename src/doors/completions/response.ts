// Internal chat answers -> legacy `text_completion` objects and stream chunks (protocols-doors.md 3).
import type { ChatChunk, ChatCompletion, Usage } from "../../providers/types.ts";
import type { CompletionRequest } from "./request.ts";

/** One text_completion from the answers to each prompt, choice index = prompt * n + choice (as OpenAI numbers them). */
export function toCompletion(req: CompletionRequest, list: string[], answers: ChatCompletion[]) {
  const n = req.n ?? 1;
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const choices = answers.flatMap((a, i) => {
    if (a.usage) {
      usage.prompt_tokens += a.usage.prompt_tokens;
      usage.completion_tokens += a.usage.completion_tokens;
      usage.total_tokens += a.usage.total_tokens;
    }
    return a.choices.map((c) => ({
      text: (req.echo ? list[i] : "") + (c.message.content ?? ""),
      index: i * n + c.index,
      logprobs: null,
      finish_reason: c.finish_reason === "tool_calls" ? "stop" : c.finish_reason,
    }));
  });
  return { id: completionId(answers[0]?.id), object: "text_completion", created: answers[0]?.created ?? Math.floor(Date.now() / 1000), model: req.model, choices, usage };
}

/** Maps each chat chunk of one prompt's stream to a text_completion chunk; `echo` puts the prompt first. */
export function chunkMapper(req: CompletionRequest, prompt: string): (chunk: ChatChunk) => unknown {
  let echo = req.echo ? prompt : "";
  return (chunk) => {
    const choices = chunk.choices.map((c) => {
      const text = echo + (typeof c.delta.content === "string" ? c.delta.content : "");
      echo = "";
      return { text, index: c.index, logprobs: null, finish_reason: c.finish_reason === "tool_calls" ? "stop" : c.finish_reason ?? null };
    });
    return { id: completionId(chunk.id), object: "text_completion", created: chunk.created, model: req.model, choices, ...(chunk.usage ? { usage: chunk.usage as Usage } : {}) };
  };
}

const completionId = (id: string | undefined) => `cmpl-${(id ?? crypto.randomUUID()).replace(/^chatcmpl-/, "")}`;
