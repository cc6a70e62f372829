// Token counts with OpenAI's o200k BPE (gpt-tokenizer). Free models and Claude use other tokenizers, so
// every count is an estimate. The tables (megabytes, ~0.3 s to load) load on first use.
let loaded: Promise<(text: string) => number> | undefined;

/** BPE merges are quadratic in a word's length: text is counted in slices, so a long run costs linear time (the count barely moves). */
const SLICE = 1000;

export async function tokenCounter(): Promise<(text: string) => number> {
  const count = await (loaded ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => m.countTokens));
  return (text) => {
    let n = 0;
    for (let i = 0; i < text.length; i += SLICE) n += count(text.slice(i, i + SLICE));
    return n;
  };
}
