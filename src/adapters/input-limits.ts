/**
 * Limits every adapter applies to untrusted input before it is parsed or stored (issue #10):
 * JSON nesting depth checked on the raw text (so a hostile body never reaches a recursive parser
 * or a recursive hash), and the longest record id kept as a ledger key.
 */

/** Deepest JSON nesting accepted by default: complaint records are a few levels deep. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Longest record id (in characters) an adapter hands to the ledger. */
export const MAX_EXTERNAL_ID_CHARS = 200;

/**
 * Where JSON text nests deeper than `maxDepth` objects/arrays: the character offset of the
 * bracket that goes one level too deep, or undefined when it stays within. One linear pass over
 * the text, skipping strings, with no allocation: safe on any input, valid JSON or not.
 */
export function jsonDepthExceeded(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/** The reason text for a body or page nested too deep. */
export function tooDeepMessage(at: number, maxDepth: number): string {
  return `nested deeper than ${maxDepth} levels (at character ${at})`;
}
