/**
 * Which warning fields may carry a source value (see the table in compile-mapping.ts).
 * Personal data (UU PDP 27/2022) never goes into a warning: the ledger keeps warnings in clear.
 */
import { codePointLength } from './canonical.js';

const segmenter = new Intl.Segmenter('id', { granularity: 'grapheme' });

/** The first graphemes of `text` that fit in `max` code points, then "…". */
function cut(text: string, max: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const n = codePointLength(segment);
    if (used + n > max - 1) break;
    out += segment;
    used += n;
  }
  return `${out}…`;
}

/** Fields whose values may identify a person: no `value` in warnings, and the value is hidden from messages. */
export function isPersonalField(field: string): boolean {
  return field.startsWith('reporter.');
}

/** Fields whose `value` is never copied into a warning: personal data, and free text that may contain it. */
export function isValueless(field: string): boolean {
  return isPersonalField(field) || field === 'title' || field === 'content' || field === 'location.address';
}

/** Longer values are cut: a warning names the value, it does not archive it. */
const WARNING_VALUE_MAX = 200;

/** The value as warning text, or undefined when it is not a simple value or the field must not carry it. */
export function warningValue(field: string, value: unknown): string | undefined {
  if (isValueless(field)) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value).trim();
  if (!text) return undefined;
  return codePointLength(text) > WARNING_VALUE_MAX ? cut(text, WARNING_VALUE_MAX) : text;
}

