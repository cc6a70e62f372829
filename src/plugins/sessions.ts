// Every chat completion, through any front door, belongs to a session: the client's x-session-id, or a
// new one. The response carries it in an x-session-id header and, for OpenAI chat's JSON answers, as
// `sessionId` in the body. A session
// records counts, tokens and models, never content; the store bounds and expires them. On Redis, while
// it is down, chats are answered without session tracking and /session/* answers 503.
import { Elysia, t } from "elysia";
import { badRequest, GatewayError, notFound } from "../errors.ts";
import { whenDown } from "../redis/client.ts";
import { newSessionId, type Session, type SessionStore } from "../stores/sessions.ts";
import { defer } from "./deferred-checks.ts";
import { BEARER } from "./docs.ts";
import { metaOf, type RequestEvents } from "./request-context.ts";

const SESSION_ID = /^[\w-]{8,128}$/;

const forbidden = () => new GatewayError(403, "This session belongs to another client.", "permission_error", "session_forbidden");

export function sessions(store: SessionStore, events: RequestEvents, isAdmin: (request: Request) => Promise<boolean>) {
  // The one store write per request, once its outcome (tokens, provider) is known.
  events.onComplete((meta) => {
    if (!meta.sessionId || (meta.status ?? 500) >= 400) return;
    const touched = store.touch(meta.sessionId, {
      owner: meta.client,
      model: meta.upstreamModel,
      provider: meta.provider,
      promptTokens: meta.usage?.prompt_tokens,
      completionTokens: meta.usage?.completion_tokens,
    });
    // Not tracked while the shared store is down.
    if (touched instanceof Promise) touched.catch(() => {});
  });

  const owned = async (request: Request, id: string): Promise<Session> => {
    const session = await store.get(id);
    if (!session) throw notFound(`No session ${id} (it may have expired).`, "session_not_found");
    if (session.owner !== metaOf(request).client && !(await isAdmin(request))) throw forbidden();
    return session;
  };

  return new Elysia({ name: "sessions", detail: { tags: ["Sessions"] } })
    .onBeforeHandle({ as: "global" }, ({ request, set }) => {
      // Door requests only (doors/door.ts sets meta.door before this hook runs).
      if (!metaOf(request).door) return;
      const given = request.headers.get("x-session-id");
      if (given !== null && !SESSION_ID.test(given)) {
        throw badRequest("x-session-id must be 8-128 letters, digits, '_' or '-'.", null, "invalid_session_id");
      }
      // Only an id the client chose can belong to someone else; checking it is a read, not a write.
      if (given) {
        const client = metaOf(request).client;
        const check = (existing: Session | undefined) => {
          if (existing && existing.owner !== client) throw forbidden();
        };
        const existing = store.get(given);
        // On Redis the read travels with the other lookups (plugins/deferred-checks.ts); while Redis is
        // down the chat goes on without session tracking.
        if (existing instanceof Promise) defer(request, existing.then(check, whenDown(() => {})));
        else check(existing);
      }
      const id = given ?? newSessionId();
      metaOf(request).sessionId = id;
      set.headers["x-session-id"] = id;
    })
    .onAfterHandle({ as: "global" }, ({ request, responseValue }) => {
      if (!metaOf(request).door?.sessionInBody || !responseValue || typeof responseValue !== "object" || responseValue instanceof Response) return;
      // Chat answers are built per request (parsed upstream or cached JSON), so the id is set in place.
      (responseValue as { sessionId?: string }).sessionId = metaOf(request).sessionId;
    })
    .get("/session/status", async () => ({ object: "session.status", ...(await store.stats()) }), {
      detail: { summary: "Session counts" },
    })
    // Under /config: the auth guard lets admins only list every client's sessions.
    .get("/config/sessions", async ({ query }) => ({ object: "list", data: (await store.list(query.limit ?? 100)).map(view) }), {
      query: t.Object({ limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000, description: "at most this many, 1 to 1000 (default 100)" })) }),
      detail: { summary: "The most recently active sessions, newest first (admins only)", security: BEARER },
    })
    .get("/session/:id", async ({ request, params }) => view(await owned(request, params.id)), {
      detail: { summary: "One session (its owner or an admin)" },
    })
    .delete("/session/:id", async ({ request, params }) => {
      await owned(request, params.id);
      await store.delete(params.id);
      return { id: params.id, object: "session", deleted: true };
    }, { detail: { summary: "Delete a session (its owner or an admin)" } });
}

/** The owner is a key hash or an IP: shown only as a short prefix. */
function view(s: Session) {
  return {
    id: s.id,
    object: "session",
    owner: s.owner.slice(0, 16),
    created_at: new Date(s.createdAt).toISOString(),
    last_activity: new Date(s.lastActivity).toISOString(),
    requests: s.requests,
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    models: s.models,
    providers: s.providers,
  };
}
