/**
 * Config of the `lapor-v3` dialect. The v3 API is published to registered developers only, so
 * everything a deployment may differ in — base URL, paths, header names, ids — is configurable.
 */
import { z } from 'zod';
import { channels, classifications } from '../../mapping/canonical.js';
import { secretSchema, withEnv } from '../../settings/secrets.js';
import { durationSchema } from '../../util/duration.js';
import { tlsConfigSchema } from '../../net/http-client.js';
import { attachmentsConfigSchema } from '../attachment-fetch.js';

const id = z.union([z.string().min(1), z.number().int()]);

export const laporV3ConfigSchema = z
  .object({
    dialect: z.literal('lapor-v3'),
    name: z.string().default('lapor').describe('Name of this destination in the ledger and metrics'),
    base_url: withEnv(z.url({ protocol: /^https?$/ })).describe('e.g. https://<gateway>/lapor/3.0.0; may use ${ENV_VAR}'),
    auth: z
      .object({
        bearer_token: secretSchema.describe('Sent as "<bearer_header>: Bearer <token>"'),
        app_token: secretSchema.describe('Sent as "<app_token_header>: <token>"'),
        bearer_header: z.string().default('Authorization').describe('Some deployments name it "auth"'),
        app_token_header: z.string().default('token'),
      })
      .strict(),
    user_id: id.optional().describe('The integration account complaints are filed under'),
    paths: z
      .object({
        upload: z.string().default('/complaints/complaint/file'),
        create: z.string().default('/complaints/complaint'),
        status: z.string().default('/complaints/{id}/complaint'),
        followups: z.string().default('/complaints/{id}/followups'),
        followup_create: z.string().default('/complaints/{id}/followups').describe('Where a change after delivery is sent (delivery.on_change: followup)'),
        institutions: z.string().default('/masters/institutions/external'),
      })
      .strict()
      .prefault({}),
    lookup: z
      .union([
        z.literal(false),
        z
          .object({
            path: z.string().default('/complaints/search').describe('Search endpoint returning complaints whose content contains the text'),
            param: z.string().default('q'),
          })
          .strict(),
      ])
      .prefault({})
      .describe('How to find a complaint by its Ref: line after an uncertain send; false when the deployment has no search'),
    ref_template: z.string().default('Ref: {system}/{external_id}').describe('Last line of the content; {system} and {external_id} are filled in'),
    idempotency_header: z.union([z.string(), z.literal(false)]).default('Idempotency-Key'),
    channel_ids: z.record(z.enum(channels), id).default({ web: 1, app: 2, sms: 3, whatsapp: 4, social: 5, walk_in: 6, phone: 7, letter: 8, other: 9 }),
    classification_ids: z.record(z.enum(classifications), id).default({ pengaduan: 1, aspirasi: 2, permintaan_informasi: 3 }),
    default_category_id: id.optional().describe('category_id when the complaint has no mapped LAPOR! category'),
    default_disposition_id: id.optional().describe('disposition_id when the complaint has no target agency'),
    timeout: durationSchema.prefault('30s').describe('Per call: connect and reply'),
    rate_limit_per_second: z.number().min(0).default(0).describe('Most HTTP calls per second to the destination (0 = no limit)'),
    max_content_chars: z.number().int().min(100).default(20_000).describe('Longest content LAPOR! accepts, Ref: line included; longer content is cut with a visible marker'),
    max_attachment_bytes: z.number().int().positive().default(10 * 1024 * 1024).describe('Largest attachment fetched from a source; the download stops there and the attachment is dropped with a warning'),
    connect_timeout: durationSchema.prefault('10s').describe('Per call: establishing the connection (TCP and TLS); the whole call is bounded by timeout'),
    tls: tlsConfigSchema.prefault({}).describe('TLS for the destination: extra CA file; verification can be turned off only with a warning'),
    attachments: attachmentsConfigSchema.prefault({}).describe('Which attachment URLs from source data may be fetched (hosts, private addresses, types)'),
  })
  .strict();

export type LaporV3Config = z.output<typeof laporV3ConfigSchema>;

/** The two credential headers every v3 call carries (the sink, `doctor` and `lapor masters` alike). */
export function laporV3AuthHeaders(config: Pick<LaporV3Config, 'auth'>): Record<string, string> {
  return {
    [config.auth.bearer_header]: `Bearer ${config.auth.bearer_token.reveal()}`,
    [config.auth.app_token_header]: config.auth.app_token.reveal(),
  };
}
