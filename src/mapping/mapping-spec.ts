/**
 * The per-source mapping language, as a zod schema (the YAML under `mapping:` in a source file).
 *
 * `fields` maps a canonical field path (`reporter.phone`, `location.region_code`) to a rule that
 * says where its value comes from — exactly one of `path`, `value`, `template`, `first_of` — and
 * what happens to it: `transforms` in order, `default`, `required`, `on_error`.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { simpleTransformNames } from './transforms.js';

/** An IANA zone name luxon knows: a typo must fail at startup, not turn every date into an error. */
const ianaZone = z.string().refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone, e.g. Asia/Jakarta' });

const dateTimeOptions = z
  .object({
    timezone: ianaZone.optional().describe('IANA zone for values without an offset (default Asia/Jakarta)'),
    formats: z.array(z.string()).min(1).optional().describe('Luxon formats tried in order, e.g. "dd/MM/yyyy HH:mm"'),
  })
  .strict();

const lookupOptions = z
  .object({
    table: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe('Inline table: source value → target value'),
    file: z.string().optional().describe('CSV file in config/lookups/ with a header row'),
    key_column: z.string().optional(),
    value_column: z.string().optional(),
    default: z.union([z.string(), z.number()]).optional().describe('Value used when the key is not in the table'),
    on_miss: z.enum(['error', 'keep']).default('error').describe('error: the value fails (see on_error); keep: pass it through unchanged'),
  })
  .strict()
  .refine((o) => (o.table === undefined) !== (o.file === undefined), { message: 'give exactly one of table or file' });

export const transformSpecSchema = z.union([
  z.enum(simpleTransformNames),
  z.object({ parse_datetime: dateTimeOptions }).strict(),
  z.object({ parse_date: dateTimeOptions }).strict(),
  z.object({ lookup: lookupOptions }).strict(),
], {
  error: (issue) =>
    typeof issue.input === 'string'
      ? `unknown transform "${issue.input}"; known: ${simpleTransformNames.join(', ')}, lookup`
      : 'a transform is a name (trim) or an object with options ({ lookup: { file: x.csv } })',
});
export type TransformSpec = z.output<typeof transformSpecSchema>;

export interface FieldRule {
  path?: string | undefined;
  value?: unknown;
  template?: string | undefined;
  first_of?: FieldRule[] | undefined;
  transforms?: TransformSpec[] | undefined;
  default?: unknown;
  required?: boolean | undefined;
  on_error?: 'quarantine' | 'drop_field' | 'default' | undefined;
}

export const fieldRuleSchema: z.ZodType<FieldRule> = z.lazy(() =>
  z
    .object({
      path: z.string().min(1).optional().describe('Where the value is in the source record: a.b, list[0].c'),
      value: z.unknown().optional().describe('A literal value'),
      template: z.string().optional().describe('Text with {{field.path}} placeholders'),
      first_of: z.array(fieldRuleSchema).min(1).optional().describe('Candidates tried in order; the first usable value wins'),
      transforms: z.array(transformSpecSchema).optional(),
      default: z.unknown().optional().describe('Used when the source has no value'),
      required: z.boolean().optional().describe('No value ⇒ the record is quarantined'),
      on_error: z.enum(['quarantine', 'drop_field', 'default']).optional().describe('When a transform fails: quarantine the record, drop the value (default), or use `default`'),
    })
    .strict()
    .refine((r) => [r.path, r.value, r.template, r.first_of].filter((x) => x !== undefined).length === 1, {
      message: 'give exactly one of path, value, template or first_of',
    }),
);

export const mappingSpecSchema = z
  .object({
    timezone: ianaZone.default('Asia/Jakarta').describe('Zone for source local times'),
    fields: z.record(z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/, 'must be a canonical field path like reporter.phone'), fieldRuleSchema),
  })
  .strict();

export type MappingSpec = z.output<typeof mappingSpecSchema>;
