/**
 * The one explicit map of adapter kinds. A test fails if an adapter folder is not registered here.
 */
import type { AdapterFactory } from './adapter.js';
import { restAdapterFactory } from './rest/rest-adapter.js';

export const adapterRegistry: Readonly<Record<string, AdapterFactory<never>>> = {
  rest: restAdapterFactory as AdapterFactory<never>,
};

export function adapterKinds(): string[] {
  return Object.keys(adapterRegistry);
}
