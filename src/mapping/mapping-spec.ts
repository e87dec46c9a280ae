/**
 * The per-source mapping language, as a zod schema (the YAML under `mapping:` in a source file).
 * docs/mapping.md documents every feature with an example.
 *
 * `fields` maps a canonical field path (`reporter.phone`, `location.region_code`) to a rule that
 * says where its value comes from — exactly one of `path`, `value`, `template`, `first_of`, or a
 * conditional `when` / `then` / `else` — and what happens to it: `transforms` in order,
 * `default`, `required`, `on_error`.
 *
 * Everything that can be checked without reading other files is checked here (regex patterns,
 * regency codes), so `config check` names the file, line and key path of the problem.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { regionProblem, shippedRegions } from './regions.js';
import { simpleTransformNames, unsafePatternReason } from './transforms.js';

/** An IANA zone name luxon knows: a typo must fail at startup, not turn every date into an error. */
const ianaZone = z.string().refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone, e.g. Asia/Jakarta' });

/** Why `pattern` cannot be used (does not compile with `flags`, or could backtrack badly), or undefined. */
export function patternProblem(pattern: string, flags = ''): string | undefined {
  try {
    new RegExp(pattern, `${flags}u`);
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  const unsafe = unsafePatternReason(pattern);
  return unsafe ? `refused: ${unsafe}` : undefined;
}

/** A regular expression in a condition: compiled case-insensitive, checked like regex_replace patterns. */
const conditionPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    const problem = patternProblem(pattern, 'i');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

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
    default: z.union([z.string(), z.number()]).optional().describe('Value used when the key is not in the table (the miss is still reported as a warning)'),
    on_miss: z.enum(['error', 'keep']).default('error').describe('Without a default — error: the value fails (see on_error); keep: pass it through unchanged (reported as a warning)'),
  })
  .strict()
  .refine((o) => (o.table === undefined) !== (o.file === undefined), { message: 'give exactly one of table or file' });

const truncateOptions = z
  .object({
    max: z.number().int().min(1).describe('Most Unicode code points kept, marker included'),
    marker: z.string().optional().describe('Appended when text is cut (default " […]")'),
  })
  .strict()
  .refine((o) => [...(o.marker ?? ' […]')].length < o.max, { message: 'the marker must be shorter than max', path: ['marker'] });

const regexReplaceOptions = z
  .object({
    pattern: z.string().min(1).describe('JavaScript regular expression (always with the u flag); no backreferences, no nested unbounded repetition'),
    replacement: z.string().default('').describe('Replacement text; $1, $<name> refer to groups (default: remove the match)'),
    flags: z
      .string()
      .regex(/^(?!.*(.).*\1)[gims]*$/, 'flags are any of g, i, m, s, each at most once')
      .default('g')
      .describe('g (all matches, the default), i, m, s'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const problem = patternProblem(o.pattern, o.flags);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['pattern'] });
  });

const separatorOptions = z.object({ separator: z.string().describe('Literal text, not a pattern') }).strict();

const regionCodeOptions = z
  .object({
    regency: z
      .string({ error: 'must be a regency code in quotes, e.g. "36.01" (unquoted, YAML reads 36.01 as a number)' })
      .regex(/^\d{2}\.\d{2}$/, 'must be a regency code PP.KK, e.g. "36.01"').describe('Kemendagri regency code, e.g. 36.01 (Kabupaten Pandeglang)'),
    level: z.enum(['kecamatan', 'desa']).default('kecamatan').describe('Which names the value holds'),
    file: z.string().optional().describe('Your own region table in config/lookups/ (code,name,alternates) instead of the shipped data'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.file !== undefined || !/^\d{2}\.\d{2}$/.test(o.regency)) return; // a file is checked when the mapping is compiled
    const problem = regionProblem(shippedRegions(), o.regency, o.level, 'the shipped region data (config/regions/)');
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [o.level === 'desa' && problem.includes('no desa') ? 'level' : 'regency'] });
  });

/** Transforms that take options, by key: `{ lookup: { file: x.csv } }`. */
export const optionTransformNames = ['parse_datetime', 'parse_date', 'lookup', 'truncate', 'regex_replace', 'split', 'join', 'region_code'] as const;

function transformIssueMessage(issue: { input?: unknown; errors?: readonly (readonly { path: readonly PropertyKey[]; message: string }[])[] }): string {
  const known = `known: ${simpleTransformNames.join(', ')}; with options: ${optionTransformNames.join(', ')}`;
  const input = issue.input;
  if (typeof input === 'string') return `unknown transform "${input}"; ${known}`;
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const keys = Object.keys(input);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined && (optionTransformNames as readonly string[]).includes(key)) {
      // the problems of the one option this object is meant to be, with their inner key paths
      const inner = (issue.errors ?? []).flat().filter((e) => e.path[0] === key);
      if (inner.length) return inner.map((e) => `${e.path.map(String).join('.')}: ${e.message}`).join('; ');
    }
    return `unknown transform ${keys.map((k) => `"${k}"`).join(', ') || '{}'}; a transform with options is an object with one key; ${known}`;
  }
  return 'a transform is a name (trim) or an object with options ({ lookup: { file: x.csv } })';
}

export const transformSpecSchema = z.union(
  [
    z.enum(simpleTransformNames),
    z.object({ parse_datetime: dateTimeOptions }).strict(),
    z.object({ parse_date: dateTimeOptions }).strict(),
    z.object({ lookup: lookupOptions }).strict(),
    z.object({ truncate: truncateOptions }).strict(),
    z.object({ regex_replace: regexReplaceOptions }).strict(),
    z.object({ split: separatorOptions }).strict(),
    z.object({ join: separatorOptions }).strict(),
    z.object({ region_code: regionCodeOptions }).strict(),
  ],
  { error: (issue) => transformIssueMessage(issue as Parameters<typeof transformIssueMessage>[0]) },
);

/** A transform as the schema gives it: a name, or `{ name: options }`. */
export type TransformSpec = z.output<typeof transformSpecSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export interface Condition {
  path: string;
  equals?: string | number | boolean | undefined;
  in?: (string | number | boolean)[] | undefined;
  matches?: string | undefined;
  exists?: boolean | undefined;
}

export const conditionSchema = z
  .object({
    path: z.string().min(1).describe('Where the value to test is in the source record'),
    equals: scalar.optional().describe('True when the value equals this (case and surrounding spaces ignored)'),
    in: z.array(scalar).min(1).optional().describe('True when the value equals one of these (case and surrounding spaces ignored)'),
    matches: conditionPattern.optional().describe('True when the value matches this regular expression (case-insensitive)'),
    exists: z.boolean().optional().describe('true: the value is present (not absent, null, blank or an empty list); false: it is not'),
  })
  .strict()
  .refine((c) => [c.equals, c.in, c.matches, c.exists].filter((x) => x !== undefined).length === 1, {
    message: 'a condition is a path and exactly one of equals, in, matches or exists',
  });

export interface FieldRule {
  path?: string | undefined;
  value?: unknown;
  template?: string | undefined;
  first_of?: FieldRule[] | undefined;
  when?: Condition | undefined;
  then?: FieldRule | undefined;
  else?: FieldRule | undefined;
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
      when: conditionSchema.optional().describe('A condition on the source record: the value comes from `then` when it holds, else from `else`'),
      then: fieldRuleSchema.optional().describe('The rule used when `when` holds'),
      else: fieldRuleSchema.optional().describe('The rule used when `when` does not hold (no value when absent)'),
      transforms: z.array(transformSpecSchema).optional().describe('Applied in order to the value'),
      default: z.unknown().optional().describe('Used when the source has no value'),
      required: z.boolean().optional().describe('No value ⇒ the record is quarantined'),
      on_error: z.enum(['quarantine', 'drop_field', 'default']).optional().describe('When a transform fails: quarantine the record, drop the value (default), or use `default`'),
    })
    .strict()
    .superRefine((r, ctx) => {
      const sources = [r.path, r.value, r.template, r.first_of, r.when].filter((x) => x !== undefined).length;
      if (sources !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of path, value, template, first_of or when' });
      if (r.when !== undefined && r.then === undefined) ctx.addIssue({ code: 'custom', message: '`when` needs a `then` rule', path: ['then'] });
      if (r.when === undefined && r.then !== undefined) ctx.addIssue({ code: 'custom', message: '`then` is only used with `when`', path: ['then'] });
      if (r.when === undefined && r.else !== undefined) ctx.addIssue({ code: 'custom', message: '`else` is only used with `when`', path: ['else'] });
    }),
);

export const mappingSpecSchema = z
  .object({
    timezone: ianaZone.default('Asia/Jakarta').describe('Zone for source local times'),
    fields: z.record(z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/, 'must be a canonical field path like reporter.phone'), fieldRuleSchema),
  })
  .strict();

export type MappingSpec = z.output<typeof mappingSpecSchema>;
