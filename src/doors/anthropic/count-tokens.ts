// POST /v1/messages/count_tokens, answered locally: no Claude tokenizer is public, so this is an
// estimate with OpenAI's o200k BPE (gpt-tokenizer) over the system prompt, every message's text, tool
// calls and results, and the tool definitions; images follow Anthropic's rule of thumb, tokens =
// width * height / 750 after scaling the long edge down to 1568 px; PDFs count ~1500 tokens a page.
import { tokenCounter } from "../../tokenizer.ts";
import type { AnthropicBlock, CountTokensRequest } from "./schema.ts";

/** Per message: role and separators, as chat formats add them. */
const PER_MESSAGE = 3;
const MAX_EDGE = 1568;
/** An image whose size cannot be read (a URL, an unknown format): Anthropic's largest standard image. */
const UNKNOWN_IMAGE = 1600;
const PER_PDF_PAGE = 1500;

export async function countTokens(body: CountTokensRequest): Promise<number> {
  const count = await tokenCounter();
  // Fields inside blocks are not validated (any block type may arrive): a value that is not a string is
  // counted as its JSON, never converted with String() (a client's own toString would run, or throw).
  const text = (value: unknown) => count(typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value) ?? "");
  let total = 0;
  const system = body.system;
  if (typeof system === "string") total += text(system);
  else for (const block of system ?? []) total += text(block.text);
  const blocks = (content: unknown): number => {
    if (!Array.isArray(content)) return text(content);
    let n = 0;
    for (const b of content as AnthropicBlock[]) {
      if (!b || typeof b !== "object") n += text(b);
      else if (b.type === "text") n += text(b.text);
      else if (b.type === "thinking") n += text(b.thinking);
      else if (b.type === "image") n += imageTokens(b);
      else if (b.type === "document") n += documentTokens(b, text);
      else if (b.type === "tool_use") n += text(b.name) + text(b.input ?? {});
      else if (b.type === "tool_result") n += blocks(b.content);
    }
    return n;
  };
  for (const m of body.messages) total += PER_MESSAGE + blocks(m.content);
  for (const tool of body.tools ?? []) total += text(JSON.stringify({ name: tool.name, description: tool.description, input_schema: tool.input_schema }));
  return total;
}

function imageTokens(block: AnthropicBlock): number {
  const data = block.source?.type === "base64" && typeof block.source.data === "string" ? block.source.data : undefined;
  const size = data ? imageSize(Buffer.from(data.slice(0, 64 * 1024), "base64")) : undefined;
  if (!size) return UNKNOWN_IMAGE;
  const scale = Math.min(1, MAX_EDGE / Math.max(size.width, size.height));
  return Math.max(1, Math.ceil((size.width * scale * size.height * scale) / 750));
}

function documentTokens(block: AnthropicBlock, text: (s: string) => number): number {
  const source = block.source;
  if (source?.type === "text" && typeof source.data === "string") return text(source.data);
  if (source?.type === "base64" && typeof source.data === "string") {
    const pages = Buffer.from(source.data, "base64").toString("latin1").match(/\/Type\s*\/Page(?!s)/g)?.length ?? 1;
    return pages * PER_PDF_PAGE;
  }
  return 0;
}

/** Width and height from a PNG, GIF, WebP or JPEG header. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString("latin1", 0, 3) === "GIF") return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const kind = b.toString("latin1", 12, 16);
    if (kind === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (kind === "VP8L") {
      const bits = b.readUInt32LE(21);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame marker.
    for (let i = 2; i + 9 < b.length;) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return undefined;
}
