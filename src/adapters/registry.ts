/**
 * The one explicit map of adapter kinds. A test fails if an adapter folder is not registered here.
 */
import type { AdapterFactory } from './adapter.js';
import { fileDropAdapterFactory } from './file-drop/file-drop-adapter.js';
import { restAdapterFactory } from './rest/rest-adapter.js';
import { sqlAdapterFactory } from './sql/sql-adapter.js';
import { webhookAdapterFactory } from './webhook/webhook-adapter.js';

export const adapterRegistry: Readonly<Record<string, AdapterFactory<never>>> = {
  rest: restAdapterFactory as AdapterFactory<never>,
  sql: sqlAdapterFactory as AdapterFactory<never>,
  'file-drop': fileDropAdapterFactory as AdapterFactory<never>,
  webhook: webhookAdapterFactory as AdapterFactory<never>,
};

export function adapterKinds(): string[] {
  return Object.keys(adapterRegistry);
}
