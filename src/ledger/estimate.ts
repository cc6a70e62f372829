// Token counts for a stream the client left before the upstream reported usage: the text already
// streamed (and the prompt) counted with OpenAI's o200k tokenizer. Free models use other tokenizers, so
// this is an estimate; it only runs on that path, and the tokenizer (megabytes of tables) loads on first use.
import type { ChatMessage } from "../providers/types.ts";
import { tokenCounter } from "../tokenizer.ts";

export async function estimateUsage(prompt: string[], streamed: string[]): Promise<{ prompt_tokens: number; completion_tokens: number }> {
  const countTokens = await tokenCounter();
  return { prompt_tokens: countTokens(prompt.join("\n")), completion_tokens: countTokens(streamed.join("")) };
}

/** The text parts of chat messages (what the upstream tokenises as the prompt, bar the role markers). */
export function messageTexts(messages: ChatMessage[]): string[] {
  const texts: string[] = [];
  for (const m of messages) {
    if (typeof m.content === "string") texts.push(m.content);
    else if (Array.isArray(m.content)) for (const part of m.content) if ("text" in part && typeof part.text === "string") texts.push(part.text);
    for (const call of m.tool_calls ?? []) texts.push(call.function.arguments);
  }
  return texts;
}
