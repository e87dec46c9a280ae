/**
 * Config of the webhook adapter: an HTTP endpoint the local system POSTs complaints to,
 * authenticated by an HMAC-SHA256 signature with a timestamp (or a bearer token), answered 202
 * only after the records are committed to the ledger. See docs/sources-webhook.md.
 */
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { secretSchema } from '../../settings/secrets.js';
import { DEFAULT_MAX_JSON_DEPTH } from '../input-limits.js';
import { byteSizeSchema } from '../../util/byte-size.js';

const hmacAuthSchema = z
  .object({
    type: z.literal('hmac').describe('Signature = hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret'),
    secret: secretSchema.describe('The shared secret: ${ENV_VAR} or ${file:/path}'),
    header: z.string().min(1).default('X-Signature').describe('Header carrying the hex signature (a "sha256=" prefix is accepted)'),
    timestamp_header: z.string().min(1).default('X-Timestamp').describe('Header carrying the signing time, in Unix seconds'),
    tolerance: durationSchema.prefault('5m').describe('Requests signed longer ago (or further ahead) than this are refused; replays inside it are refused too'),
  })
  .strict();

const bearerAuthSchema = z
  .object({
    type: z.literal('bearer').describe('"Authorization: Bearer <token>" (no replay protection: prefer hmac)'),
    token: secretSchema.describe('The token: ${ENV_VAR} or ${file:/path}'),
  })
  .strict();

export const webhookConfigSchema = z
  .object({
    type: z.literal('webhook').describe('Complaints POSTed to the bridge by the local system'),
    host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on; 0.0.0.0 for every interface (put TLS in front)'),
    port: z.number().int().min(0).max(65535).describe('TCP port to listen on (0 picks a free one, for tests)'),
    path: z.string().startsWith('/').optional().describe('Path the local system POSTs to; default /webhook/<source id>'),
    auth: z.discriminatedUnion('type', [hmacAuthSchema, bearerAuthSchema]).describe('How a request proves it comes from the local system'),
    body_limit: byteSizeSchema.prefault('1MB').describe('Largest request body accepted; larger is answered 413'),
    max_depth: z
      .number()
      .int()
      .min(4)
      .max(256)
      .default(DEFAULT_MAX_JSON_DEPTH)
      .describe('Deepest nesting of JSON objects and arrays in a body (checked before parsing); deeper is answered 400'),
    max_records_per_request: z.number().int().min(1).max(10_000).default(500).describe('Most records one request may carry (larger is answered 413); also the largest batch committed at once'),
    max_pending_requests: z.number().int().min(1).default(100).describe('Requests waiting for their ledger commit at once; more are answered 503 with Retry-After'),
    max_wait: durationSchema
      .prefault('30s')
      .refine((ms) => ms > 0, 'must be longer than 0')
      .describe('A request not committed within this long (a paused source, a failing intake) is answered 503 with Retry-After'),
    id_field: z.string().min(1).default('id').describe('Field (dotted path) holding the record id in the source; a record without one is refused with 422'),
  })
  .strict();

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
