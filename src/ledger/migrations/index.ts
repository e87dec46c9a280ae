/**
 * Numbered ledger migrations, applied in order at open. `PRAGMA user_version` holds the number of
 * the last one applied; a migration is never edited once released — add the next number instead.
 */
import { sql as m001 } from './001-initial.js';
import { sql as m002 } from './002-operator-actions.js';
import { sql as m003 } from './003-mapping-version.js';
import { sql as m004 } from './004-source-hash.js';
import { sql as m005 } from './005-follow-through.js';
import { sql as m006 } from './006-audit-indexes.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: m001 },
  { version: 2, name: 'operator-actions', sql: m002 },
  { version: 3, name: 'mapping-version', sql: m003 },
  { version: 4, name: 'source-hash', sql: m004 },
  { version: 5, name: 'follow-through', sql: m005 },
  { version: 6, name: 'audit-indexes', sql: m006 },
];

export const LATEST_VERSION = migrations.length;
