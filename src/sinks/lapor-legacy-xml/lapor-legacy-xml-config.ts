/**
 * Config of the `lapor-legacy-xml` dialect (older LAPOR! deployments, DESIGN §4):
 * `POST /api/stream/addstream` with `<lapor token="…"><pelapor>…</pelapor><laporan …><isi>…</isi></laporan></lapor>`,
 * reply XML with `<trackingid>` and `<transaksiid>`. Base URL, paths, the token, reply element
 * names and the (optional) search are all configurable.
 */
import { z } from 'zod';
import { secretSchema, withEnv } from '../../settings/secrets.js';
import { durationSchema } from '../../util/duration.js';

const elementName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an XML element name');
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name');

export const laporLegacyXmlConfigSchema = z
  .object({
    dialect: z.literal('lapor-legacy-xml'),
    name: z.string().default('lapor').describe('Name of this destination in the ledger and metrics'),
    base_url: withEnv(z.url({ protocol: /^https?$/ })).describe('Where the legacy API lives, e.g. https://lapor.example.go.id; may use ${ENV_VAR}'),
    token: secretSchema.describe('Sent as the token attribute of <lapor> (never logged, never stored in the ledger)'),
    paths: z
      .object({
        create: z.string().default('/api/stream/addstream'),
      })
      .strict()
      .prefault({}),
    lookup: z
      .union([
        z.literal(false),
        z
          .object({
            path: z.string().default('/api/stream/search').describe('Search endpoint: GET <path>?<param>=<Ref line>, XML reply listing complaints (<trackingid> and <isi>)'),
            param: z.string().default('q'),
            token_header: headerName.default('token').describe('Header the token is sent in for the search (never in the URL)'),
          })
          .strict(),
      ])
      .default(false)
      .describe('How to find a complaint by its Ref: line after an uncertain send; false (the default: legacy deployments rarely have a search) sends in-doubt records to needs_review per delivery.on_in_doubt'),
    ref_template: z.string().default('Ref: {system}/{external_id}').describe('Last line of <isi>; {system} and {external_id} are filled in'),
    include_title: z.boolean().default(true).describe('The legacy body has no title element: put the title as the first line of <isi>'),
    phone_format: z.enum(['local', 'e164']).default('local').describe('<telpon> as 0812… (local; +62 numbers only) or +62812… (e164)'),
    reply: z
      .object({
        tracking_id: elementName.default('trackingid').describe('Element of the reply carrying the LAPOR! id'),
        transaction_id: elementName.default('transaksiid').describe('Element of the reply carrying the transaction id (kept in the attempt reply)'),
      })
      .strict()
      .prefault({}),
    content_type: z.string().default('text/xml; charset=utf-8').describe('Content-Type of the request body'),
    idempotency_header: z.union([headerName, z.literal(false)]).default(false).describe('Header carrying the idempotency key; legacy deployments do not know one'),
    timeout: durationSchema.prefault('30s').describe('Per call: connect and reply'),
    rate_limit_per_second: z.number().min(0).default(0).describe('Most HTTP calls per second to the destination (0 = no limit)'),
    max_content_chars: z.number().int().min(100).default(20_000).describe('Longest <isi> LAPOR! accepts, title and Ref: line included; longer content is cut with a visible marker'),
    max_reply_bytes: z.number().int().min(1024).default(1024 * 1024).describe('Largest reply read; a larger one counts as unreadable'),
  })
  .strict();

export type LaporLegacyXmlConfig = z.output<typeof laporLegacyXmlConfigSchema>;
