// POST /v1/responses (OpenAI's Responses API), GET / DELETE /v1/responses/{id} and GET
// /v1/responses/{id}/input_items. A stored response keeps the conversation that led to it, so
// `previous_response_id` replays that conversation and its output upstream before the new input.
// Responses belong to the client that created them (RequestMeta.client): anyone else is told they do
// not exist.
import { Elysia } from "elysia";
import { badRequest, GatewayError, notFound } from "../../errors.ts";
import { metaOf, type RequestMeta } from "../../plugins/request-context.ts";
import type { ResponseStore } from "../../stores/responses.ts";
import { headerList, type Door } from "../door.ts";
import { inputItemsPage, inputItemsQuery, withItemIds } from "./input-items.ts";
import { inputItems, toChat } from "./request.ts";
import { type ResponseContext, toResponse } from "./response.ts";
import { checkInputItems, responsesRequestSchema } from "./schema.ts";
import { responseEvents } from "./stream.ts";
import { type Item, newId, type ResponseObject, type ResponsesRequest } from "./types.ts";

export interface ResponsesDeps {
  store: ResponseStore;
  /** False when RESPONSE_STORE_MAX is 0: nothing is kept, whatever `store` says. */
  storing: boolean;
  maxTokensLimit: number;
}

/** What toChat learned that the answer needs: the Response's identity, tool kinds, the conversation to store. */
interface Turn {
  ctx: ResponseContext;
  items: Item[];
}

export function responsesDoor({ store, storing, maxTokensLimit }: ResponsesDeps): Door<ResponsesRequest> {
  const turns = new WeakMap<RequestMeta, Turn>();
  const turnOf = (meta: RequestMeta) => turns.get(meta)!;
  const save = (meta: RequestMeta, req: ResponsesRequest, response: ResponseObject) => {
    if (!storing || req.store === false) return Promise.resolve();
    return store.put(response.id, { owner: meta.client, response: JSON.stringify(response), input: JSON.stringify(withItemIds(turnOf(meta).items)) });
  };

  return {
    route: "/v1/responses",
    name: "responses",
    schema: responsesRequestSchema,
    // max_output_tokens above MAX_TOKENS_LIMIT is lowered, never refused (request.ts), and so to each candidate's limit.
    lowersMaxTokens: true,
    detail: {
      summary: "Create a response (Responses API)",
      description: "OpenAI's Responses API over the same models and failover as chat completions, for Codex CLI and the newest SDK code. Built-in tools (web_search ...) are dropped and named in `x-gateway-dropped-tools`. Responses are stored (RESPONSE_STORE_*) unless `store: false`.",
      tags: ["OpenAI"],
    },
    async toChat(req, headers, request) {
      const meta = metaOf(request);
      if (Array.isArray(req.input)) checkInputItems(req.input);
      let history: Item[] = [];
      if (req.previous_response_id) {
        const previous = await store.get(req.previous_response_id);
        if (!previous || previous.owner !== meta.client) {
          throw new GatewayError(400, `Previous response with id '${req.previous_response_id}' not found.`, "invalid_request_error",
            "previous_response_not_found", "previous_response_id");
        }
        history = [...(JSON.parse(previous.input) as Item[]), ...(JSON.parse(previous.response) as ResponseObject).output];
      }
      const items = [...history, ...inputItems(req.input)];
      if (items.length === 0) throw badRequest("input is required (a string or an array of items).", "input", "missing_required_parameter");
      const { chat, targets, dropped } = toChat(req, items, maxTokensLimit);
      if (dropped.length > 0) headers["x-gateway-dropped-tools"] = headerList(dropped);
      const reasoning = Boolean(req.reasoning && (req.reasoning.summary || (req.reasoning.effort && req.reasoning.effort !== "none")));
      turns.set(meta, { ctx: { id: newId("resp"), createdAt: Math.floor(Date.now() / 1000), request: req, targets, reasoning }, items });
      return chat;
    },
    async reply(completion, req, meta) {
      const response = toResponse(completion, turnOf(meta).ctx);
      await save(meta, req, response);
      return response;
    },
    stream: (req, meta) => responseEvents(turnOf(meta).ctx, (response) => {
      // The stream is over for the client either way; a store failure costs only a later follow-up.
      void save(meta, req, response).catch(() => {});
    }),
  };
}

/** GET and DELETE of stored responses and GET of their input items: their creator or an admin; anyone else gets 404. */
export function storedResponseRoutes(store: ResponseStore, isAdmin: (request: Request) => Promise<boolean>) {
  const visible = async (request: Request, id: string) => {
    const stored = await store.get(id);
    if (!stored || (stored.owner !== metaOf(request).client && !(await isAdmin(request)))) {
      throw notFound(`Response with id '${id}' not found.`, "response_not_found");
    }
    return stored;
  };
  return new Elysia({ detail: { tags: ["OpenAI"] } })
    .get("/v1/responses/:id", async ({ request, params }) => {
      const stored = await visible(request, params.id);
      return new Response(stored.response, { headers: { "content-type": "application/json" } });
    }, { detail: { summary: "Retrieve a stored response (its creator or an admin)" } })
    .get("/v1/responses/:id/input_items", async ({ request, params, query }) => {
      const stored = await visible(request, params.id);
      return inputItemsPage(params.id, stored.input, query);
    }, {
      query: inputItemsQuery,
      detail: {
        summary: "List a stored response's input items (its creator or an admin)",
        description: "Every input item of the conversation up to this response (with previous_response_id, the earlier turns' input and output too), newest first unless `order=asc`; paginate with `after` = the last item's id while `has_more`.",
      },
    })
    .delete("/v1/responses/:id", async ({ request, params }) => {
      await visible(request, params.id);
      await store.delete(params.id);
      return { id: params.id, object: "response", deleted: true };
    }, { detail: { summary: "Delete a stored response (its creator or an admin)" } });
}
