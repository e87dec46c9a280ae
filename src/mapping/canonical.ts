/**
 * The canonical SP4N complaint, version 1 (DESIGN §3).
 *
 * Every source is mapped to this one shape, and every sink renders from it. Field names are
 * English snake_case; lengths are counted in Unicode code points. The schema is exported as a
 * zod schema, as its inferred TypeScript type, and (by `npm run schema`) as JSON Schema.
 */
import { z } from 'zod';

export const CANONICAL_VERSION = 1;

export const TITLE_MAX = 150;
export const CONTENT_MAX = 20_000;

/**
 * Upper bounds of the other text fields (issue #10: every value from a source is bounded). Title
 * and content are truncated with a warning (validate-complaint.ts); an optional value over its
 * bound is dropped with a warning; a required one (the source id) quarantines the record.
 */
export const FIELD_MAX = {
  external_id: 200,
  ticket: 100,
  code: 200,
  lapor_id: 100,
  address: 500,
  url: 2048,
  filename: 255,
  mime: 127,
  attachments: 50,
  name: 200,
  email: 254,
} as const;

export const channels = ['web', 'app', 'sms', 'whatsapp', 'social', 'walk_in', 'phone', 'letter', 'other'] as const;
export const classifications = ['pengaduan', 'aspirasi', 'permintaan_informasi'] as const;

/** Kemendagri region code: PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD (Kabupaten Pandeglang = 36.01). */
export const REGION_CODE_RE = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;

/** Length in Unicode code points, as the limits in DESIGN §3 are counted. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const isoWithOffset = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset, e.g. 2024-03-01T08:30:00+07:00' });

const isoDate = z.iso.date({ message: 'must be an ISO date, YYYY-MM-DD' });

const boundedText = (min: number, max: number) =>
  z.string().refine((s) => {
    const n = codePointLength(s);
    return n >= min && n <= max;
  }, { message: `must be ${min}–${max} characters` });

export const canonicalComplaintSchema = z
  .object({
    source: z
      .object({
        system: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a source id (lowercase letters, digits, - and _)').describe('Source id from config, e.g. bebeja'),
        external_id: z.string().min(1, 'must not be empty').max(FIELD_MAX.external_id).describe("The record's id in the source"),
        received_at: isoWithOffset.describe('When the source received the complaint, ISO 8601 with offset'),
        ticket: z.string().min(1).max(FIELD_MAX.ticket).optional().describe('Citizen-visible ticket number in the source'),
      })
      .strict(),
    channel: z.enum(channels).describe('Channel the complaint came in through'),
    classification: z.enum(classifications).default('pengaduan').describe('Kind of report'),
    title: boundedText(1, TITLE_MAX).describe('1–150 characters'),
    content: boundedText(1, CONTENT_MAX).describe('1–20,000 characters of plain text'),
    category: z
      .object({
        source_code: z.string().min(1).max(FIELD_MAX.code).describe('Category as the source names it'),
        lapor_category_id: z.union([z.string().min(1).max(FIELD_MAX.lapor_id), z.number().int()]).optional().describe('LAPOR! category id'),
      })
      .strict()
      .optional(),
    target_agency: z
      .object({
        source_code: z.string().min(1).max(FIELD_MAX.code).optional(),
        lapor_institution_id: z.union([z.string().min(1).max(FIELD_MAX.lapor_id), z.number().int()]).optional(),
      })
      .strict()
      .optional()
      .describe('Disposition: the agency that should act'),
    incident_date: isoDate.optional(),
    location: z
      .object({
        region_code: z.string().regex(REGION_CODE_RE, 'must be a Kemendagri code PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD').optional(),
        address: z.string().min(1).max(FIELD_MAX.address).optional(),
        lat: z.number().min(-90).max(90).optional(),
        lon: z.number().min(-180).max(180).optional(),
      })
      .strict()
      .optional(),
    attachments: z
      .array(
        z
          .object({
            url: z.url({ protocol: /^https?$/ }).max(FIELD_MAX.url),
            filename: z.string().min(1).max(FIELD_MAX.filename).optional(),
            mime: z.string().min(1).max(FIELD_MAX.mime).optional(),
            size: z.number().int().nonnegative().optional(),
            sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
          })
          .strict(),
      )
      .max(FIELD_MAX.attachments)
      .default([]),
    is_anonymous: z.boolean().describe('Public report, reporter identity hidden'),
    is_secret: z.boolean().describe('Rahasia: not shown to the public'),
    reporter: z
      .object({
        name: z.string().min(1).max(FIELD_MAX.name).optional(),
        nik: z.string().regex(/^\d{16}$/, 'must be 16 digits').optional(),
        phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +6281234567890').optional(),
        email: z.email().max(FIELD_MAX.email).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type CanonicalComplaint = z.output<typeof canonicalComplaintSchema>;
export type CanonicalComplaintInput = z.input<typeof canonicalComplaintSchema>;

/** Top-level and nested fields a record can still be delivered without (DESIGN §3 "Deliver or quarantine"). */
export const REQUIRED_FIELDS = new Set([
  'source.system',
  'source.external_id',
  'source.received_at',
  'channel',
  'classification',
  'title',
  'content',
  'is_anonymous',
  'is_secret',
]);

export function canonicalJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(canonicalComplaintSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
