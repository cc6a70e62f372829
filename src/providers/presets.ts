// Built-in presets for the free OpenAI-compatible tiers. Each is one data entry for the OpenAI-compatible
// provider, switched on by its key alone. Its free chat models join the aliases of their class (after the
// OpenRouter models, before the broad fallbacks) and are reachable directly as `<name>-<upstream id>`.
// Ids were taken from each provider's model page in November 2026; free models come and go, and the live
// catalog skips ids a provider stops listing. Free limits as published are in .env.example and the README.

/** The classes of the model table: each seed alias draws its candidates from one of them. */
export type ModelClass = "fast" | "large" | "reasoning" | "code" | "vision";

export interface Preset {
  /** Registry name, metrics label, and the prefix of its direct ids (`groq-llama-3.3-70b-versatile`). */
  name: string;
  /** Human name in error messages. */
  label: string;
  keyEnv: string;
  /** Where the key is made. */
  keyPage: string;
  baseUrlEnv: string;
  baseUrl: string;
  /** Free chat models by class. */
  models: Partial<Record<ModelClass, string[]>>;
}

export const PRESETS: readonly Preset[] = [
  {
    name: "groq", label: "Groq", keyEnv: "GROQ_API_KEY", keyPage: "https://console.groq.com/keys", baseUrlEnv: "GROQ_BASE_URL", baseUrl: "https://api.groq.com/openai/v1",
    models: {
      fast: ["llama-3.1-8b-instant", "openai/gpt-oss-20b"],
      large: ["llama-3.3-70b-versatile", "openai/gpt-oss-120b"],
      reasoning: ["openai/gpt-oss-120b"],
      code: ["openai/gpt-oss-120b"],
    },
  },
  {
    name: "cerebras", label: "Cerebras", keyEnv: "CEREBRAS_API_KEY", keyPage: "https://cloud.cerebras.ai", baseUrlEnv: "CEREBRAS_BASE_URL", baseUrl: "https://api.cerebras.ai/v1",
    models: {
      fast: ["llama3.1-8b", "qwen-3-32b"],
      large: ["gpt-oss-120b", "qwen-3-235b-a22b-instruct-2507", "llama-3.3-70b"],
      reasoning: ["gpt-oss-120b", "qwen-3-235b-a22b-thinking-2507"],
      code: ["gpt-oss-120b"],
    },
  },
  {
    name: "nvidia", label: "NVIDIA NIM", keyEnv: "NVIDIA_API_KEY", keyPage: "https://build.nvidia.com", baseUrlEnv: "NVIDIA_BASE_URL", baseUrl: "https://integrate.api.nvidia.com/v1",
    models: {
      fast: ["meta/llama-3.1-8b-instruct"],
      large: ["meta/llama-3.3-70b-instruct", "openai/gpt-oss-120b"],
      reasoning: ["openai/gpt-oss-120b"],
      code: ["qwen/qwen2.5-coder-32b-instruct"],
      vision: ["meta/llama-3.2-90b-vision-instruct"],
    },
  },
  {
    name: "mistral", label: "Mistral", keyEnv: "MISTRAL_API_KEY", keyPage: "https://console.mistral.ai/api-keys", baseUrlEnv: "MISTRAL_BASE_URL", baseUrl: "https://api.mistral.ai/v1",
    models: {
      fast: ["mistral-small-latest"],
      large: ["mistral-medium-latest"],
      reasoning: ["magistral-small-latest"],
      code: ["codestral-latest", "devstral-small-latest"],
      vision: ["mistral-small-latest"],
    },
  },
  {
    // GITHUB_BASE_URL is the OAuth host (login), hence the longer name.
    name: "github", label: "GitHub Models", keyEnv: "GITHUB_MODELS_TOKEN", keyPage: "https://github.com/settings/tokens", baseUrlEnv: "GITHUB_MODELS_BASE_URL", baseUrl: "https://models.github.ai/inference",
    models: {
      fast: ["openai/gpt-4.1-mini"],
      large: ["openai/gpt-4.1"],
      reasoning: ["deepseek/DeepSeek-R1"],
      code: ["openai/gpt-4.1"],
      vision: ["openai/gpt-4.1"],
    },
  },
  {
    name: "hf", label: "Hugging Face", keyEnv: "HF_TOKEN", keyPage: "https://huggingface.co/settings/tokens", baseUrlEnv: "HF_BASE_URL", baseUrl: "https://router.huggingface.co/v1",
    models: {
      fast: ["meta-llama/Llama-3.1-8B-Instruct"],
      large: ["openai/gpt-oss-120b", "meta-llama/Llama-3.3-70B-Instruct"],
      reasoning: ["deepseek-ai/DeepSeek-R1"],
      code: ["Qwen/Qwen3-Coder-480B-A35B-Instruct"],
      vision: ["Qwen/Qwen2.5-VL-7B-Instruct"],
    },
  },
];
