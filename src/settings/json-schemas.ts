/**
 * JSON Schemas generated from the zod schemas: the canonical complaint (for integrators) and the
 * config files (for editor autocompletion). `npm run schema` writes them to `schema/`.
 */
import { z } from 'zod';
import { adapterRegistry } from '../adapters/registry.js';
import { canonicalJsonSchema } from '../mapping/canonical.js';
import { mappingSpecSchema } from '../mapping/mapping-spec.js';
import { bridgeSettingsSchema, sourceFileSchema } from './settings-schema.js';

function configSchema(schema: z.ZodType, title: string): Record<string, unknown> {
  return { title, ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>) };
}

/** File name in `schema/` → schema. */
export function buildJsonSchemas(): Record<string, unknown> {
  const adapters = Object.values(adapterRegistry).map((f) => f.configSchema as z.ZodType);
  const adapter = adapters.length === 1 ? (adapters[0] as z.ZodType) : z.union(adapters as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return {
    'canonical-complaint.v1.json': { title: 'SP4N canonical complaint v1', ...canonicalJsonSchema() },
    'bridge.schema.json': configSchema(bridgeSettingsSchema, 'SP4N Bridge main configuration (config/bridge.yaml)'),
    'source.schema.json': configSchema(sourceFileSchema.extend({ adapter, mapping: mappingSpecSchema }), 'SP4N Bridge source file (config/sources/<id>.yaml)'),
  };
}

export function renderJsonSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
