// GET /v1/usage (totals by model, provider, key, user, day or hour) and GET /v1/usage/requests (the
// newest rows, paginated with `before`), as JSON or CSV. Admins read every row; any other caller with a
// credential reads only its own (the owner its requests were recorded under).
import { Elysia, t } from "elysia";
import type { Authenticator } from "../auth/authenticator.ts";
import { badRequest, GatewayError } from "../errors.ts";
import { csvResponse } from "../ledger/csv.ts";
import { ownerOf } from "../ledger/recorder.ts";
import { GROUP_BY, type GroupBy, type LedgerStore, type UsageFilter } from "../ledger/store.ts";
import { BEARER } from "../plugins/docs.ts";
import { metaOf } from "../plugins/request-context.ts";

const DAY_MS = 86_400_000;
const GROUP_COLUMNS = ["group", "requests", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "cache_hits", "latency_ms_p50", "latency_ms_p95", "cost_usd"] as const;
const RECORD_COLUMNS = [
  "id", "time", "key", "user", "endpoint", "model", "provider", "upstream_model", "status", "error",
  "prompt_tokens", "completion_tokens", "latency_ms", "first_byte_ms", "attempts", "cache",
] as const;

const LIMIT = "an integer from 1 to 1000 (default 100)";
const STATUS = "an HTTP status, 100 to 599";
const Format = t.Optional(t.UnionEnum(["json", "csv"], { description: "json (default) or csv" }));
const Text = (description: string) => t.Optional(t.String({ minLength: 1, maxLength: 300, description }));
const Time = (description: string) => t.Optional(t.String({ minLength: 1, maxLength: 40, description: `${description}: an ISO date or time, or epoch milliseconds` }));

export function usageRoutes(store: LedgerStore, auth: Authenticator, now: () => number) {
  /** The owner whose rows this caller may read; undefined for an admin (every row). */
  const scope = async (request: Request): Promise<string | undefined> => {
    if (await auth.isAdmin(request)) return undefined;
    await auth.requireCaller(request);
    return ownerOf(metaOf(request).client);
  };
  const detail = (summary: string, description: string) => ({ summary, description, tags: ["Usage"], security: BEARER });

  return new Elysia()
    .get("/v1/usage", async ({ request, query }) => {
      const owner = await scope(request);
      const to = query.to === undefined ? now() : parseTime(query.to, "to");
      const from = query.from === undefined ? to - DAY_MS : parseTime(query.from, "from");
      if (from > to) throw badRequest("`from` must not be after `to`.", "from", "invalid_value");
      const groupBy: GroupBy = query.group_by ?? "model";
      const data = await read(() => store.summary(groupBy, { from, to, owner }));
      if (query.format === "csv") return csvResponse("usage", GROUP_COLUMNS, data);
      return { object: "list", group_by: groupBy, from: new Date(from).toISOString(), to: new Date(to).toISOString(), data };
    }, {
      query: t.Object({
        group_by: t.Optional(t.UnionEnum(GROUP_BY, { description: `one of ${GROUP_BY.join(", ")}` })),
        from: Time("start (inclusive; default 24 h before `to`)"),
        to: Time("end (exclusive; default now)"),
        format: Format,
      }),
      detail: detail("Usage totals", "Requests, errors (status >= 400, or a stream that failed after its first byte), tokens, cache hits, latency percentiles and estimated cost per group. `model` groups by the model asked for (the alias); `day` groups are YYYY-MM-DD and `hour` groups YYYY-MM-DDTHH, in UTC. Admins see every caller; anyone else only their own requests."),
    })
    .get("/v1/usage/requests", async ({ request, query }) => {
      const status = query.status === undefined ? undefined : intParam(query.status, "status", 100, 599);
      const limit = query.limit === undefined ? 100 : intParam(query.limit, "limit", 1, 1000);
      const filter: UsageFilter = { owner: await scope(request), model: query.model, provider: query.provider, status, key: query.key };
      const data = await read(() => store.requests(filter, limit, query.before));
      if (!data) throw badRequest(`No usage row \`${query.before}\` that you can see.`, "before", "invalid_value");
      if (query.format === "csv") return csvResponse("usage-requests", RECORD_COLUMNS, data);
      return { object: "list", data };
    }, {
      query: t.Object({
        limit: t.Optional(t.String({ description: LIMIT })),
        before: t.Optional(t.String({ minLength: 1, maxLength: 128, description: "a row id: answers the rows older than it" })),
        model: Text("the model asked for"),
        provider: Text("the provider that answered"),
        status: t.Optional(t.String({ description: STATUS })),
        key: Text("an API key id"),
        format: Format,
      }),
      detail: detail("Recorded requests, newest first", "One row per inference request (never its text). Paginate with `before` = the last row's id."),
    });
}

/** A ledger database that cannot answer is a 503, not a gateway bug (its error, which may name hosts, stays out). */
async function read<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(503, "The usage ledger's database is unavailable; try again later.", "service_unavailable", "ledger_unavailable");
  }
}

/** Whole numbers in a range, checked here so the 400 names the parameter and the range. */
function intParam(text: string, param: string, min: number, max: number): number {
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(`Invalid value for '${param}': ${param === "limit" ? LIMIT : STATUS}.`, param, "invalid_value");
  return n;
}

/** An ISO date/time or epoch milliseconds; 400 naming the parameter otherwise. */
function parseTime(text: string, param: string): number {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw badRequest(`Invalid value for '${param}': an ISO date or time, or epoch milliseconds.`, param, "invalid_value");
  return ms;
}
