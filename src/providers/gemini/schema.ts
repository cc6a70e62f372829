// JSON Schema (what OpenAI clients send in tool parameters and response_format) -> the OpenAPI 3.0
// subset Gemini accepts in `parameters` and `responseSchema`. Gemini rejects keys outside its Schema
// message ($schema, additionalProperties, strict, $defs ...), so this builds each node from an
// allowlist: local $refs are inlined, allOf merged, type arrays and null variants become `nullable`.

import type { GeminiSchema } from "./wire.ts";

type Json = Record<string, unknown>;

/** Keys copied as they are; everything not listed here or handled below is dropped. */
const PASSTHROUGH = [
  "title", "description", "default", "example", "minItems", "maxItems", "minimum", "maximum",
  "minLength", "maxLength", "pattern", "minProperties", "maxProperties", "propertyOrdering",
] as const;

/** The only `format` values Gemini documents, per type; others (email, uri, uuid ...) are dropped. */
const FORMATS: ReadonlyMap<string, readonly string[]> = new Map(Object.entries({
  STRING: ["enum", "date-time"],
  INTEGER: ["int32", "int64"],
  NUMBER: ["float", "double"],
}));

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function toGeminiSchema(schema: unknown): GeminiSchema {
  if (!isObject(schema)) return {};
  const defs = { ...(isObject(schema.definitions) ? schema.definitions : {}), ...(isObject(schema.$defs) ? schema.$defs : {}) };
  return convert(schema, defs, new Set());
}

function convert(node: Json, defs: Json, resolving: Set<string>): GeminiSchema {
  const ref = typeof node.$ref === "string" ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref)?.[1] : undefined;
  if (ref !== undefined) {
    // Own keys only: a client's "#/$defs/__proto__" must not resolve to Object.prototype.
    const target = Object.hasOwn(defs, ref) ? defs[ref] : undefined;
    // A recursive type cannot be expressed without $ref: stop at the cycle with an open schema.
    if (!isObject(target) || resolving.has(ref)) return {};
    const { $ref: _, ...siblings } = node;
    return convert({ ...target, ...siblings }, defs, new Set(resolving).add(ref));
  }
  if (Array.isArray(node.allOf)) {
    const { allOf, ...rest } = node;
    return convert(allOf.filter(isObject).reduce<Json>(mergeSchemas, rest), defs, resolving);
  }

  const out: GeminiSchema = {};
  for (const key of PASSTHROUGH) if (node[key] !== undefined) out[key] = node[key];

  const variants = node.anyOf ?? node.oneOf;
  if (Array.isArray(variants)) {
    const nonNull = variants.filter((v) => isObject(v) && v.type !== "null") as Json[];
    if (nonNull.length < variants.length) out.nullable = true;
    if (nonNull.length === 1) return { ...convert(nonNull[0], defs, resolving), ...out };
    if (nonNull.length > 1) out.anyOf = nonNull.map((v) => convert(v, defs, resolving));
  }

  // Strings only: String() on a client's object would call its own toString ({"toString": 1} throws).
  const declared = (Array.isArray(node.type) ? node.type : [node.type]).filter((t): t is string => typeof t === "string");
  if (declared.includes("null") || node.nullable === true) out.nullable = true;
  const types = declared.filter((t) => t !== "null");
  if (types.length === 0) {
    if (isObject(node.properties)) types.push("object");
    else if (node.items !== undefined) types.push("array");
  }
  if (types.length > 1) {
    out.anyOf = types.map((t) => convert({ ...node, type: t, nullable: undefined }, defs, resolving));
    return out;
  }
  const type = types[0]?.toUpperCase();
  if (type) out.type = type;

  if (type && typeof node.format === "string" && FORMATS.get(type)?.includes(node.format)) out.format = node.format;
  const enumValues = node.const !== undefined ? [node.const] : node.enum;
  // Gemini enums are string-only; a numeric enum is dropped rather than rejected upstream.
  if (Array.isArray(enumValues) && enumValues.every((v) => typeof v === "string")) out.enum = enumValues;

  if (isObject(node.properties)) {
    // Client-named keys: no prototype, so a property called "__proto__" or "constructor" is just a property.
    const properties: Record<string, GeminiSchema> = Object.create(null);
    for (const [name, sub] of Object.entries(node.properties)) properties[name] = isObject(sub) ? convert(sub, defs, resolving) : {};
    out.properties = properties;
    if (Array.isArray(node.required)) {
      const required = node.required.filter((r): r is string => typeof r === "string" && Object.hasOwn(properties, r));
      if (required.length > 0) out.required = required;
    }
  }
  const items = Array.isArray(node.items) ? node.items[0] : node.items;
  if (isObject(items)) out.items = convert(items, defs, resolving);
  return out;
}

/** allOf member merge: later members win on scalar keys; properties and required accumulate. */
function mergeSchemas(into: Json, next: Json): Json {
  const merged: Json = { ...into, ...next };
  if (isObject(into.properties) || isObject(next.properties)) {
    merged.properties = { ...(isObject(into.properties) ? into.properties : {}), ...(isObject(next.properties) ? next.properties : {}) };
  }
  const required = [into.required, next.required].flatMap((r) => (Array.isArray(r) ? r : []));
  if (required.length > 0) merged.required = [...new Set(required)];
  return merged;
}

/** True when a converted object schema declares no properties (Gemini rejects such `parameters`). */
export function isEmptyObjectSchema(schema: GeminiSchema): boolean {
  return schema.type === "OBJECT" && (!isObject(schema.properties) || Object.keys(schema.properties).length === 0);
}
