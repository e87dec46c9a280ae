/**
 * Config of the sql adapter: a query against the local app's own database (MariaDB/MySQL,
 * PostgreSQL or SQLite) with an `(updated_at, id)` keyset watermark. Either the user's own
 * SELECT with named parameters, or `table` + `columns` and the adapter builds a safe query.
 */
import path from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { secretSchema, withEnv } from '../../settings/secrets.js';
import { checkQualifiedName, checkUserQuery, IDENTIFIER_RE } from './sql-query.js';

const identifier = z.string().regex(IDENTIFIER_RE, 'must be a plain identifier: letters, digits and _ (not starting with a digit)');

const portSchema = z.union([z.number().int().min(1).max(65535), withEnv(z.string().regex(/^\d{1,5}$/, 'must be a port number').transform(Number))]);

const URL_PROTOCOLS: Record<string, readonly string[]> = { mysql: ['mysql:', 'mariadb:'], postgres: ['postgres:', 'postgresql:'] };

export const sqlConfigSchema = z
  .object({
    type: z.literal('sql').describe('Adapter kind'),
    driver: z.enum(['mysql', 'postgres', 'sqlite']).describe('mysql (also MariaDB), postgres, or sqlite'),
    host: withEnv(z.string().min(1)).optional().describe('mysql/postgres: server host; may use ${ENV_VAR}'),
    port: portSchema.optional().describe('mysql/postgres: server port (default 3306 / 5432)'),
    database: withEnv(z.string().min(1)).optional().describe('mysql/postgres: database name'),
    user: withEnv(z.string().min(1)).optional().describe('mysql/postgres: user; give it read rights on the table only'),
    password: secretSchema.optional().describe('mysql/postgres: ${ENV_VAR} or ${file:/path}; leave out for trust/peer auth'),
    url: withEnv(z.string().min(1))
      .optional()
      .describe('mysql/postgres: instead of host/port/database/user, e.g. postgres://reader@db:5432/aduan?sslmode=require; no password in it (use password)'),
    file: withEnv(z.string().min(1)).optional().describe('sqlite: absolute path of the database file (opened read-only; it must exist)'),
    query: z
      .string()
      .optional()
      .describe('A single SELECT using :since_updated_at, :since_id and :limit, ordered by updated_at, id (see docs/sources-sql.md); or use table'),
    table: z.string().optional().describe('Table (or schema.table) to read; the adapter builds the keyset query. Instead of query'),
    columns: z
      .object({
        id: identifier.default('id').describe('Column holding the record id (the ledger key)'),
        updated_at: identifier.default('updated_at').describe('Column holding the last-modified time'),
      })
      .strict()
      .prefault({})
      .describe('Watermark columns: of the table, or of the query result'),
    batch_size: z.number().int().min(1).max(10_000).default(500).describe('Rows per batch (one ledger transaction each)'),
    timezone: z
      .string()
      .default('Asia/Jakarta')
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone, e.g. Asia/Jakarta' })
      .describe('Zone of DATETIME / TIMESTAMP WITHOUT TIME ZONE / text values without an offset'),
    incremental: z
      .object({
        lookback: durationSchema.prefault('10m').describe('Re-read this far behind the cursor; the ledger skips what it has'),
        clock_skew: durationSchema.prefault('2m').describe('Never move the cursor past the sync start minus this'),
      })
      .strict()
      .prefault({})
      .describe('Watermark safety margins'),
    connect_timeout: durationSchema.prefault('10s').describe('Give up connecting after this long'),
    timeout: durationSchema.prefault('60s').describe('Give up on one query after this long'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (pathKey: string, message: string) => ctx.addIssue({ code: 'custom', path: [pathKey], message });
    const server = ['host', 'port', 'database', 'user', 'password', 'url'] as const;
    if (c.driver === 'sqlite') {
      for (const key of server) if (c[key] !== undefined) issue(key, 'not used with driver sqlite (give file)');
      if (c.file === undefined) issue('file', 'required with driver sqlite');
      else if (!path.isAbsolute(c.file)) issue('file', 'must be an absolute path');
    } else {
      if (c.file !== undefined) issue('file', `not used with driver ${c.driver} (give host or url)`);
      if (c.url !== undefined) {
        for (const key of ['host', 'port', 'database', 'user'] as const) if (c[key] !== undefined) issue(key, 'give either url or host/port/database/user, not both');
        let url: URL | undefined;
        try {
          url = new URL(c.url);
        } catch {
          issue('url', 'is not a URL');
        }
        if (url) {
          const protocols = URL_PROTOCOLS[c.driver] ?? [];
          if (!protocols.includes(url.protocol)) issue('url', `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
          if (url.password) issue('url', 'must not carry a password: put it in password as ${ENV_VAR} or ${file:/path}');
          if (!url.hostname) issue('url', 'has no host');
          if (url.pathname.replace(/^\//, '') === '') issue('url', 'names no database (…/<database>)');
        }
      } else {
        if (c.host === undefined) issue('host', `required with driver ${c.driver} (or give url)`);
        if (c.database === undefined) issue('database', `required with driver ${c.driver} (or give url)`);
        if (c.user === undefined) issue('user', `required with driver ${c.driver} (or give url)`);
      }
    }
    if ((c.query === undefined) === (c.table === undefined)) issue(c.query === undefined ? 'table' : 'query', 'give either query or table (with columns), not both or neither');
    if (c.table !== undefined) {
      const problem = checkQualifiedName(c.table);
      if (problem) issue('table', problem);
    }
    if (c.query !== undefined) for (const problem of checkUserQuery(c.query, c.driver)) issue('query', problem);
  });

export type SqlConfig = z.output<typeof sqlConfigSchema>;
