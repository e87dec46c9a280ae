/**
 * zod schemas of the configuration files (DESIGN §7). YAML keys are snake_case and identical to
 * the zod keys, so a validation error path is the YAML path.
 *
 *   config/bridge.yaml          ledger, destination, delivery policy, logging
 *   config/sources/<id>.yaml    adapter + schedule + mapping, one file per source
 */
import cron from 'node-cron';
import { z } from 'zod';
import { laporLegacyXmlConfigSchema } from '../sinks/lapor-legacy-xml/lapor-legacy-xml-config.js';
import { laporV3ConfigSchema } from '../sinks/lapor-v3/lapor-v3-config.js';
import { slaRulesSchema } from '../sla/sla-rules.js';
import { statusTableSchema } from '../status/lapor-status.js';
import { durationSchema } from '../util/duration.js';
import { secretSchema } from './secrets.js';

export const deliverySchema = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(4).describe('Sends in flight at once'),
    in_call_retries: z.number().int().min(0).max(10).default(2).describe('Quick retries inside one send for replies that are certainly not filed'),
    retry: z
      .object({
        base: durationSchema.prefault('30s').describe('First backoff delay (full jitter)'),
        max: durationSchema.prefault('1h').describe('Longest backoff delay'),
        window: durationSchema.prefault('7d').describe('After this long failing, a record is dead and reported'),
      })
      .strict()
      .prefault({}),
    circuit_breaker_failures: z.number().int().min(0).default(5).describe('After this many consecutive transient failures, send one probe per pass until the destination answers (0 = off)'),
    reconcile_after: durationSchema.prefault('1m').describe('Look an in-doubt record up only after this long: a gateway that answered 500 may still be committing'),
    max_doubt_resends: z.number().int().min(1).max(10).default(3).describe('After a lookup finds nothing, how many times one version is sent again (each time waiting twice as long) before it waits in needs_review'),
    on_in_doubt: z.enum(['review', 'retry']).default('review').describe('Without a lookup: review waits for an operator; retry resends (at-least-once, may duplicate)'),
    on_change: z
      .enum(['record', 'followup'])
      .default('record')
      .describe('A source change after delivery: record = kept in the ledger only; followup = also sent to LAPOR! as a follow-up note on the same complaint (never as a new complaint)'),
  })
  .strict();

export const cronSchema = z.string().refine((expr) => cron.validate(expr), { message: 'not a valid cron expression (e.g. "*/5 * * * *")' });

export const daemonSchema = z
  .object({
    delivery_schedule: cronSchema.default('* * * * *').describe('When the delivery pass runs on its own: retries fall due, in-doubt records are reconciled'),
    full_rescan_schedule: z
      .union([cronSchema, z.literal(false)])
      .default('0 2 * * 0')
      .describe('Full re-scan of every source (reads everything; the ledger skips what it has), default Sunday 02:00 WIB; false to disable'),
    http: z
      .union([
        z
          .object({
            host: z.string().default('127.0.0.1').describe('Address to bind; loopback by default'),
            port: z.number().int().min(0).max(65535).default(9464).describe('Port for /healthz, /readyz, /metrics (0 = any free port)'),
          })
          .strict(),
        z.literal(false),
      ])
      .prefault({})
      .describe('The health and metrics endpoint; false to turn it off'),
    shutdown_grace: durationSchema.prefault('30s').describe('On SIGTERM, how long sends in flight may take to finish'),
  })
  .strict();

/** Following delivered complaints at LAPOR! and writing their statuses back to the source (issue #7). */
export const followSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Follow delivered complaints at LAPOR! (lapor-v3 only: the legacy XML dialect has no status API)'),
    schedule: cronSchema.default('*/10 * * * *').describe('When the daemon checks complaints that are due (each complaint has its own next check time)'),
    check_new_every: durationSchema.prefault('1h').describe('How often a complaint not yet verified is checked'),
    check_active_every: durationSchema.prefault('3h').describe('How often a complaint that changed within quiet_after is checked'),
    check_quiet_every: durationSchema.prefault('1d').describe('How often a complaint with no change for quiet_after is checked'),
    quiet_after: durationSchema.prefault('7d').describe('No change for this long makes a complaint quiet'),
    max_per_run: z.number().int().min(1).max(100_000).default(500).describe('Most complaints checked in one run (the rest wait for the next run)'),
    write_back: z.boolean().default(true).describe('Send each status change and agency follow-up back to sources whose adapter supports it (rest: write_back.path)'),
    statuses: statusTableSchema.default({}),
  })
  .strict();

/** SLA rules (LAPOR! defaults) and the working-day calendar. */
export const slaSettingsSchema = slaRulesSchema
  .extend({
    calendar: z.string().optional().describe('Holiday calendar file (default: the shipped config/calendar/holidays-ID.json); relative to this file'),
    calendar_overrides: z.array(z.string()).default([]).describe('Regency override files (add/remove days off), applied in order; relative to this file'),
  })
  .strict();

/** The read-only audit dashboard: access token and default language. */
export const dashboardSchema = z
  .object({
    token: secretSchema.describe('Access token for auditors, ${file:/etc/sp4n-bridge/dashboard-token} (recommended) or ${ENV_VAR}; required to turn the dashboard on'),
    lang: z.enum(['id', 'en']).default('id').describe('Default language: id (Bahasa Indonesia) or en; visitors can switch'),
  })
  .strict();

export const bridgeSettingsSchema = z
  .object({
    ledger: z
      .object({
        path: z.string().default('../data/ledger.sqlite').describe('SQLite file; relative paths are relative to this file'),
        pii_key: secretSchema.optional().describe('Key for the salted NIK hash, ${ENV_VAR} or ${file:...}; without it NIKs are not stored at all'),
      })
      .strict()
      .prefault({}),
    destination: z.discriminatedUnion('dialect', [laporV3ConfigSchema, laporLegacyXmlConfigSchema]),
    delivery: deliverySchema.prefault({}),
    daemon: daemonSchema.prefault({}),
    follow: followSchema.prefault({}).describe('Status sync from LAPOR! and write-back to sources'),
    sla: slaSettingsSchema.prefault({}).describe('SLA deadlines in working days (Asia/Jakarta) and the holiday calendar'),
    dashboard: dashboardSchema.optional().describe('The read-only audit dashboard (/dashboard on the daemon\'s HTTP endpoint, or `sp4n-bridge dashboard`); off without this section'),
    sources_dir: z.string().default('sources').describe('Folder of source files, relative to this file'),
    lookups_dir: z.string().default('lookups').describe('Folder of lookup CSVs, relative to this file'),
    logging: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
        file: z
          .object({
            dir: z.string().describe('Folder for daily-rotated JSON log files, relative to this file'),
            retention_days: z.number().int().min(1).default(14).describe('Days of log files kept'),
          })
          .strict()
          .optional()
          .describe('Also write logs to a daily-rotated file (stdout always gets them)'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type BridgeSettings = z.output<typeof bridgeSettingsSchema>;


/** A source file; `adapter` is validated again by the adapter kind's own schema. */
export const sourceFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
    enabled: z.boolean().default(true),
    description: z.string().optional(),
    schedule: cronSchema.default('*/5 * * * *').describe('When the daemon pulls this source (cron, Asia/Jakarta)'),
    adapter: z.looseObject({ type: z.string().describe('Adapter kind, e.g. rest') }),
    mapping: z.unknown(),
  })
  .strict();

export type SourceFile = z.output<typeof sourceFileSchema>;
