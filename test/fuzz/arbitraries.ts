// fast-check arbitraries for fuzzing the gateway: valid values generated from a route's own TypeBox
// schema, the hostile values no SDK sends, and mutations that turn a valid request into a broken one
// (in its JSON value, in its bytes, in its headers and in its path).
import fc from "fast-check";
import { Kind, OptionalKind, type TSchema } from "@sinclair/typebox";

type Json = unknown;
type Schema = TSchema & Record<string, unknown>;

/** Values that match `schema`: every required property, optional ones sometimes, arrays kept short. */
export function fromSchema(schema: Schema): fc.Arbitrary<Json> {
  switch (schema[Kind]) {
    case "Object": {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const record: Record<string, fc.Arbitrary<Json>> = {};
      for (const [name, sub] of Object.entries(props)) record[name] = fromSchema(sub);
      return fc.record(record, { requiredKeys: [...Object.keys(props)].filter((k) => required.has(k) && props[k][OptionalKind] !== "Optional") });
    }
    case "String": {
      const min = (schema.minLength as number | undefined) ?? 0;
      const max = Math.min((schema.maxLength as number | undefined) ?? 40, min + 40);
      if (typeof schema.pattern === "string") {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength as number ?? Infinity));
      }
      return fc.string({ minLength: min, maxLength: max });
    }
    case "Integer":
      return fc.integer({ min: (schema.minimum as number | undefined) ?? -1_000_000, max: (schema.maximum as number | undefined) ?? 1_000_000 });
    case "Number":
      return fc.double({ min: (schema.minimum as number | undefined) ?? -1e6, max: (schema.maximum as number | undefined) ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case "Boolean":
      return fc.boolean();
    case "Null":
      return fc.constant(null);
    case "Literal":
      return fc.constant(schema.const);
    case "Union":
      return fc.oneof(...(schema.anyOf as Schema[]).map(fromSchema));
    case "Array": {
      const min = (schema.minItems as number | undefined) ?? 0;
      const max = Math.min((schema.maxItems as number | undefined) ?? min + 3, min + 3);
      const items = fromSchema(schema.items as Schema);
      return schema.uniqueItems
        ? fc.uniqueArray(items, { minLength: min, maxLength: max, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { minLength: min, maxLength: max });
    }
    case "Record":
      return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Names every plain object answers from Object.prototype. */
export const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "prototype", "__proto__"];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `a${String.fromCharCode(c)}b`);

/** A value of any type that no schema field expects, or expects only in a tame range. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 0.5, "", " ", "\u0000", "0", "true", "null", [], {}, [[]], [{}], { "": "" }),
  fc.constantFrom(...PROTO_NAMES),
  fc.constantFrom(...PROTO_NAMES).map((name) => ({ [name]: name })),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  loneSurrogate,
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 1, max: 80 }).map((depth) => nest(depth)),
  fc.jsonValue({ maxDepth: 3 }),
);

function nest(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

type Path = Array<string | number>;

/** Every path to a value inside `v` (the root is []). */
function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((item, i) => paths(item, [...at, i], out));
  else if (v && typeof v === "object") for (const [k, item] of Object.entries(v)) paths(item, [...at, k], out);
  return out;
}

function edit(v: Json, path: Path, change: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  const copy = structuredClone(v);
  if (path.length === 0) return copy;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  change(parent, path.at(-1)!);
  return copy;
}

/** Structural mutations of a JSON value: replace, delete or add at a random place. */
export function mutateValue(valid: Json): fc.Arbitrary<Json> {
  const all = paths(valid);
  const at = fc.constantFrom(...all);
  // Only values with members can lose one (a filter that never passes would spin forever on `{}`).
  const inner = all.filter((p) => p.length > 0);
  const remove = inner.length > 0
    ? [fc.constantFrom(...inner).map((p) => edit(valid, p, (o, k) => (Array.isArray(o) ? o.splice(Number(k), 1) : delete o[k])))]
    : [];
  return fc.oneof(
    fc.constant(valid),
    fc.tuple(at, hostileValue).map(([p, h]) => (p.length === 0 ? h : edit(valid, p, (o, k) => void (o[k] = h)))),
    ...remove,
    fc.tuple(at, fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...PROTO_NAMES)), hostileValue).map(([p, key, h]) => {
      const copy = structuredClone(valid);
      const target = p.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], copy);
      // defineProperty: a key named "__proto__" becomes a key, as JSON.parse would make it.
      if (target && typeof target === "object" && !Array.isArray(target)) Object.defineProperty(target, key, { value: h, enumerable: true, writable: true, configurable: true });
      return copy;
    }),
  );
}

export interface RawRequest {
  body?: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
  /** Appended to the route's path: odd spellings, query strings. */
  pathSuffix: string;
  pathPrefix: string;
}

const JSON_TYPE = "application/json";

/** Byte- and text-level damage a serializer would never do. */
function damageText(text: string): fc.Arbitrary<string | Uint8Array<ArrayBuffer>> {
  const bytes = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;
  return fc.oneof(
    fc.constant(text),
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.constantFrom("", " ", "null", "[]", "{}", "0", '"x"', "\uFEFF" + text, text + "\n\n", text + "garbage"),
    fc.constantFrom("model", "messages", "input", "stream", "max_tokens", "__proto__", "constructor")
      .chain((key) => hostileValue.map((h) => (text.startsWith("{") ? `{${JSON.stringify(key)}:${JSON.stringify(h) ?? "null"},${text.slice(1)}` : text))),
    fc.integer({ min: 60, max: 100_000 }).map((depth) => (text.startsWith("{") ? `{"deep":${"[".repeat(depth)}${"]".repeat(depth)},${text.slice(1)}` : "[".repeat(depth))),
    fc.constantFrom("\\ud800", "\\udfff", "\\ud83d\\u0041").map((esc) => text.replace(/"([^"\\]*)"/, `"$1${esc}"`)),
    fc.tuple(fc.nat({ max: Math.max(0, text.length) }), fc.constantFrom(0xff, 0xc3, 0x80, 0xed, 0x00)).map(([at, byte]) => {
      const b = bytes(text);
      const out = new Uint8Array(b.length + 1);
      out.set(b.subarray(0, at));
      out[at] = byte;
      out.set(b.subarray(at), at + 1);
      return out;
    }),
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant(JSON_TYPE) },
  fc.constantFrom(
    "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1",
    "application/json; charset=utf-16", "APPLICATION/JSON", "application/vnd.api+json", "application/json;;;", "application/json, text/plain",
    "application/jsonx", "json", "*/*", "application/json; charset=\"utf-8\"", "application/json\u0000",
  ),
);

const oddHeaders = fc.dictionary(
  fc.constantFrom("x-session-id", "x-request-id", "authorization", "cache-control", "accept", "x-api-key", "anthropic-version", "cookie", "x-forwarded-for", "accept-encoding", "transfer-encoding-x"),
  fc.oneof(
    fc.constantFrom(...PROTO_NAMES),
    fc.constantFrom("", " ", "Bearer", "Bearer ", "Bearer a.b.c", "Bearer " + "x".repeat(5000), "no-store", "no-cache", "text/html", "gzip", "12345678", "sess_" + "a".repeat(24), "x".repeat(8000)),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  ),
  { maxKeys: 3 },
);

const pathSuffix = fc.oneof(
  { weight: 8, arbitrary: fc.constant("") },
  fc.constantFrom("/", "//", "?", "?a=1&a=2", "?__proto__[x]=1", "?constructor=1", "?stream=true", "%00", "/..", "/.%2e/", "?" + "q".repeat(4000), "#frag"),
);

const pathPrefix = fc.oneof({ weight: 12, arbitrary: fc.constant("") }, fc.constantFrom("/", "//", "/./", "/%2e/"));

/** A valid body and headers, mutated in its value, its bytes, its content type, headers and path. */
export function rawRequest(valid: fc.Arbitrary<Json> | undefined, baseHeaders: Record<string, string> = {}): fc.Arbitrary<RawRequest> {
  // A quarter of the bodies stay valid, so that cases also reach the handlers and the upstreams.
  const body: fc.Arbitrary<string | Uint8Array<ArrayBuffer> | undefined> = valid
    ? fc.oneof(
      { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v) ?? "null") },
      { weight: 3, arbitrary: valid.chain(mutateValue).chain((v) => damageText(JSON.stringify(v) ?? "null")) },
    )
    : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.constantFrom("", "{}", "[", "null"));
  return fc.record({ body, type: contentType, headers: oddHeaders, pathSuffix, pathPrefix, dropType: fc.boolean() }).map(({ body, type, headers, pathSuffix, pathPrefix, dropType }) => ({
    body,
    headers: { ...baseHeaders, ...(body !== undefined && !(dropType && type === "") ? { "content-type": type } : {}), ...headers },
    pathSuffix,
    pathPrefix,
  }));
}
