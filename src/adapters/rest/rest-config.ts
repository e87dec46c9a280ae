/**
 * Config of the generic JSON REST adapter: a REST source is described by data (records path,
 * primary key, replication key, paginator, authenticator); code is written only where data
 * cannot say it.
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { secretSchema, withEnv } from '../../settings/secrets.js';
import { byteSizeSchema } from '../../util/byte-size.js';
import { DEFAULT_MAX_JSON_DEPTH } from '../input-limits.js';

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('api_key'),
      header: z.string().default('X-API-Key').describe('Header that carries the key'),
      value: secretSchema.describe('The key: ${ENV_VAR} or ${file:/path}'),
    })
    .strict(),
  z.object({ type: z.literal('bearer'), token: secretSchema }).strict(),
  z.object({ type: z.literal('basic'), username: z.string(), password: secretSchema }).strict(),
]);

export const restConfigSchema = z
  .object({
    type: z.literal('rest'),
    base_url: withEnv(z.url({ protocol: /^https?$/ })).describe('Base URL of the source API; may use ${ENV_VAR}'),
    records_path: z.string().startsWith('/').describe('Path of the list endpoint, e.g. /api/v1/aduan'),
    records_field: z.string().default('data').describe('JSON path of the list in the response body (data, $.results.items, …)'),
    primary_key: z.string().default('id').describe('Field holding the record id'),
    replication_key: z.string().default('updated_at').describe('Field holding the last-modified time'),
    timezone: z.string().default('Asia/Jakarta').describe('Zone of replication-key values without an offset'),
    auth: authSchema.default({ type: 'none' }),
    pagination: z
      .preprocess(
        (v) => (v && typeof v === 'object' && !('type' in v) ? { type: 'page', ...v } : v),
        z.discriminatedUnion('type', [
          z
            .object({
              type: z.literal('page').describe('?page=N (keyset restarts from the last updated_at; page numbers only inside an equal-timestamp group)'),
              page_param: z.string().default('page'),
              size_param: z.string().default('per_page'),
              page_size: z.number().int().min(1).max(1000).default(100),
              last_page_field: z.string().default('meta.last_page').describe('JSON path of the last page number in the response'),
            })
            .strict(),
          z
            .object({
              type: z.literal('offset').describe('?offset=N&limit=M, walked like page'),
              offset_param: z.string().default('offset'),
              size_param: z.string().default('limit'),
              page_size: z.number().int().min(1).max(1000).default(100),
            })
            .strict(),
          z
            .object({
              type: z.literal('cursor').describe('the server returns a token for the next page'),
              token_param: z.string().default('cursor').describe('Query parameter that carries the token'),
              token_path: z.string().default('meta.next_cursor').describe('JSON path of the next token in the response; absent or null = last page'),
              size_param: z.string().default('per_page'),
              page_size: z.number().int().min(1).max(1000).default(100),
            })
            .strict(),
          z
            .object({
              type: z.literal('link').describe('follow the Link: <…>; rel="next" header (same host only)'),
              size_param: z.string().default('per_page'),
              page_size: z.number().int().min(1).max(1000).default(100),
            })
            .strict(),
        ]),
      )
      .prefault({ type: 'page' }),
    incremental: z
      .object({
        param: z.string().default('updated_since').describe('Query parameter for the lower bound (inclusive)'),
        lookback: durationSchema.prefault('10m').describe('Re-read this far behind the cursor; the ledger skips what it has'),
        clock_skew: durationSchema.prefault('2m').describe('Never move the cursor past the sync start minus this'),
      })
      .strict()
      .prefault({}),
    write_back: z
      .object({ path: z.string().describe('Path with {id}, e.g. /api/v1/aduan/{id}/tindak-lanjut') })
      .strict()
      .optional(),
    timeout: durationSchema.prefault('30s'),
    max_response_bytes: byteSizeSchema
      .prefault('16MB')
      .describe('Largest reply read for one page (e.g. 16MB), counted while it streams in; a larger page fails the run with an error naming the page, and is not retried'),
    max_depth: z
      .number()
      .int()
      .min(4)
      .max(256)
      .default(DEFAULT_MAX_JSON_DEPTH)
      .describe('Deepest nesting of JSON objects and arrays in a reply (checked before parsing); a deeper page fails the run'),
  })
  .strict();

export type RestConfig = z.output<typeof restConfigSchema>;
