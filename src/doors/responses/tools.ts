// Responses tools -> chat functions: `function` as it is; `custom` (free-form, Codex's apply_patch) as a
// function taking one `input` string; a `namespace` offers its inner tools under their own names
// (`<namespace>__<name>` when another tool has the name). Built-in tools no free upstream can run are
// dropped and named; a tool_choice forcing one is a 400.
import { badRequest } from "../../errors.ts";
import type { ToolChoice as ChatToolChoice, ToolDefinition } from "../../providers/types.ts";
import type { Tool, ToolChoice, ToolTargets } from "./types.ts";

/** The upstream function name of a tool, by its own name and namespace. */
export type UpstreamName = (name: string, namespace?: string) => string;

export function toTools(list: Tool[]) {
  const flat: Array<{ tool: Tool; namespace?: string; param: string }> = [];
  const dropped: string[] = [];
  list.forEach((tool, i) => {
    if (tool.type === "namespace") tool.tools?.forEach((inner, j) => flat.push({ tool: inner, namespace: tool.name, param: `tools[${i}].tools[${j}]` }));
    else if (tool.type === "function" || tool.type === "custom") flat.push({ tool, param: `tools[${i}]` });
    else if (!dropped.includes(tool.type)) dropped.push(tool.type);
  });
  // Inner tools keep their bare name upstream unless another tool has it too.
  const counts = new Map<string, number>();
  for (const { tool } of flat) counts.set(tool.name ?? "", (counts.get(tool.name ?? "") ?? 0) + 1);
  const upstreamName: UpstreamName = (name, namespace) => (namespace && (counts.get(name) ?? 0) > 1 ? `${namespace}__${name}` : name);

  const targets: ToolTargets = new Map();
  const tools: ToolDefinition[] = flat.map(({ tool, namespace, param }) => {
    if (!tool.name) throw badRequest("Every function and custom tool needs a name.", `${param}.name`, "missing_required_parameter");
    const name = upstreamName(tool.name, namespace);
    const custom = tool.type === "custom";
    targets.set(name, { kind: custom ? "custom" : "function", name: tool.name, ...(namespace ? { namespace } : {}) });
    const parameters = custom
      ? { type: "object", properties: { input: { type: "string", description: "The tool's raw input text." } }, required: ["input"], additionalProperties: false }
      : (tool.parameters as Record<string, unknown> | null | undefined) ?? { type: "object", properties: {} };
    const description = custom ? customDescription(tool) : tool.description ?? undefined;
    return { type: "function", function: { name, ...(description ? { description } : {}), parameters, ...(tool.strict === true ? { strict: true } : {}) } };
  });
  return { tools, targets, upstreamName, dropped };
}

/** A free-form tool becomes a function taking one string; its grammar, if any, tells the model what to write. */
function customDescription(tool: Tool): string {
  const grammar = tool.format?.type === "grammar" && tool.format.definition
    ? ` It must follow this ${tool.format.syntax ?? ""} grammar:\n${tool.format.definition}` : "";
  return `${tool.description ?? ""}\n\nPass the tool's raw input (not JSON) as the \`input\` string.${grammar}`.trim();
}

export function toToolChoice(choice: ToolChoice | undefined, tools: Tool[], upstreamName: UpstreamName): ChatToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === "string") return choice as ChatToolChoice;
  if (choice.type === "function" || choice.type === "custom") {
    if (!choice.name) throw badRequest(`tool_choice of type '${choice.type}' needs a name.`, "tool_choice.name", "missing_required_parameter");
    return { type: "function", function: { name: upstreamName(choice.name) } };
  }
  if (choice.type === "allowed_tools") return choice.mode === "required" ? "required" : "auto";
  // Any other type names a built-in tool, which no free upstream can run.
  const offered = tools.some((t) => t.type === choice.type);
  throw badRequest(`tool_choice forces the built-in tool '${choice.type}'${offered ? ", which" : ", which is not in tools and"} no free upstream can run.`,
    "tool_choice", "unsupported_tool");
}
