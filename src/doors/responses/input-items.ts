// GET /v1/responses/{id}/input_items: the stored conversation that led to a response, as OpenAI's
// ResponseItem list, paginated by item id. Cursors need every item to have an id, unique in its list:
// items are given one when stored (withItemIds at save, so an item keeps its id along a
// previous_response_id chain), and a list read from an older store entry derives the missing ones.
import { t } from "elysia";
import { sha256 } from "../../auth/secrets.ts";
import { badRequest } from "../../errors.ts";
import { type Item, newId } from "./types.ts";

const PREFIXES: Record<string, string> = { message: "msg", function_call: "fc", custom_tool_call: "ctc", reasoning: "rs" };
const prefixOf = (item: Item) => PREFIXES[item.type ?? "message"] ?? "item";
/** Items OpenAI lists with a status; the ones a client sent have none. */
const WITH_STATUS = new Set(["message", "function_call", "function_call_output", "custom_tool_call", "custom_tool_call_output"]);

/** `items` where each has an id none before it has: its own, or `mint`'s. Items already fine are kept as they are. */
function uniqueIds(items: Item[], mint: (item: Item, index: number) => string): Item[] {
  const seen = new Set<string>();
  return items.map((item, i) => {
    const own = typeof item.id === "string" && item.id !== "" && !seen.has(item.id);
    const id = own ? (item.id as string) : mint(item, i);
    seen.add(id);
    return own ? item : { ...item, id };
  });
}

/** Ids minted at store time: random, in OpenAI's style. */
export const withItemIds = (items: Item[]) => uniqueIds(items, (item) => newId(prefixOf(item)));

/** Ids for items stored without one: the same on every call, from the response id and the position. */
const derivedIds = (items: Item[], responseId: string) => uniqueIds(items, (item, i) =>
  `${prefixOf(item)}_${sha256(`${responseId}:${i}`).slice(0, 32)}`);

const Include = t.Optional(t.Array(t.String(), { description: "accepted and ignored (stored items are listed whole)" }));
/** Unknown query parameters are refused app-wide; `include` comes as the SDK sends it (include[]=) or plain. */
export const inputItemsQuery = t.Object({
  limit: t.Optional(t.String({ description: "how many items, 1 to 100 (default 20)" })),
  order: t.Optional(t.String({ description: "asc (oldest first) or desc (newest first, the default)" })),
  after: t.Optional(t.String({ description: "an item id: the items after it in this order" })),
  include: Include,
  "include[]": Include,
});

export interface InputItemsQuery {
  limit?: string;
  order?: string;
  after?: string;
}

/** One page of `input` (the stored JSON array) as OpenAI's ResponseItemList. */
export function inputItemsPage(responseId: string, input: string, query: InputItemsQuery) {
  const limit = query.limit === undefined ? 20 : /^\d{1,3}$/.test(query.limit) ? Number(query.limit) : NaN;
  if (!(limit >= 1 && limit <= 100)) throw badRequest("Invalid value for 'limit': an integer from 1 to 100.", "limit", "invalid_value");
  const order = query.order ?? "desc";
  if (order !== "asc" && order !== "desc") throw badRequest("Invalid value for 'order': 'asc' or 'desc'.", "order", "invalid_value");

  const items = derivedIds(JSON.parse(input) as Item[], responseId);
  if (order === "desc") items.reverse();
  let start = 0;
  if (query.after !== undefined) {
    start = items.findIndex((item) => item.id === query.after) + 1;
    if (start === 0) throw badRequest(`Invalid value for 'after': no input item with id '${query.after}' in this response.`, "after", "invalid_value");
  }
  const data = items.slice(start, start + limit).map(asResponseItem);
  return {
    object: "list" as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + limit < items.length,
  };
}

/** A stored item in the shape OpenAI lists it: messages typed, their text as parts, a status. */
function asResponseItem(item: Item): Item {
  const type = item.type ?? "message";
  const out: Item = { ...item, type };
  if (type === "message") {
    const kind = item.role === "assistant" ? "output_text" : "input_text";
    const parts = typeof item.content === "string" ? [{ type: kind, text: item.content }] : item.content ?? [];
    out.content = parts.map((p) => (p.type === "output_text" && !Array.isArray(p.annotations) ? { ...p, annotations: [] } : p));
  }
  if (WITH_STATUS.has(type) && item.status === undefined) out.status = "completed";
  return out;
}
