// What a request body's JSON may look like beyond being JSON, checked on the raw text in one pass before
// JSON.parse builds anything: every later step (schema validation, cache keys, provider translation,
// JSON.stringify upstream) walks the parsed value recursively, so a body nested 100 000 levels deep would
// overflow the stack there; an object with a million keys costs seconds in each of them; and a string
// escape that decodes to half a UTF-16 surrogate pair is text no upstream accepts.

/** Deepest nesting of objects and arrays (a chat request with a JSON schema tool is about 15 deep). */
export const MAX_JSON_DEPTH = 64;
/** Most members in one object (OpenAI's own largest maps, logit_bias and metadata, hold 300 and 16). */
export const MAX_OBJECT_KEYS = 10_000;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COLON = 58;

export interface LimitViolation {
  message: string;
  /** The OpenAI error `code`. */
  code: "json_too_deep" | "json_too_many_keys" | "invalid_unicode";
}

/**
 * Why the text breaks a limit, or undefined when it does not. Malformed JSON passes (JSON.parse says
 * what is wrong with it); the scan only has to be right about well-formed input. Linear in the text:
 * strings are skipped with indexOf, so the per-character loop only runs over structure and numbers.
 */
export function jsonLimitViolation(text: string): LimitViolation | undefined {
  const keys = new Int32Array(MAX_JSON_DEPTH + 1);
  let depth = 0;
  let nextBackslash = -1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string, looking only at its escapes.
      let at = i + 1;
      for (;;) {
        const end = text.indexOf('"', at);
        if (end === -1) return undefined;
        if (nextBackslash < at) {
          nextBackslash = text.indexOf("\\", at);
          if (nextBackslash === -1) nextBackslash = length;
        }
        if (nextBackslash > end) {
          i = end;
          break;
        }
        const escape = nextBackslash;
        at = escape + 2;
        if (text.charCodeAt(escape + 1) !== 117 /* u */) continue;
        const unit = hex4(text, escape + 2);
        at = escape + 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) return LONE_SURROGATE;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = text.startsWith("\\u", at) ? hex4(text, at + 2) : -1;
          if (!(low >= 0xdc00 && low <= 0xdfff)) return LONE_SURROGATE;
          at += 6;
        }
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) {
        return { message: `The request body is too deeply nested: more than ${MAX_JSON_DEPTH} levels of objects and arrays.`, code: "json_too_deep" };
      }
      keys[depth] = 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    } else if (c === COLON && ++keys[depth] > MAX_OBJECT_KEYS) {
      return { message: `The request body has an object with more than ${MAX_OBJECT_KEYS} keys.`, code: "json_too_many_keys" };
    }
  }
  return undefined;
}

const LONE_SURROGATE: LimitViolation = {
  message: "The request body has a string with an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); such text is not valid Unicode.",
  code: "invalid_unicode",
};

/** The value of four hex digits at `at`, or -1. */
function hex4(text: string, at: number): number {
  const digits = text.slice(at, at + 4);
  return /^[\da-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : -1;
}
