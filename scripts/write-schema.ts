/**
 * `npm run schema`: writes JSON Schemas generated from the zod schemas to `schema/` — the
 * canonical complaint (for integrators) and the config files (for editor autocompletion).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJsonSchema } from '../src/mapping/canonical.js';
import { mappingSpecSchema } from '../src/mapping/mapping-spec.js';
import { adapterRegistry } from '../src/adapters/registry.js';
import { bridgeSettingsSchema, sourceFileSchema } from '../src/settings/settings-schema.js';

const outDir = path.resolve(import.meta.dirname, '..', 'schema');
fs.mkdirSync(outDir, { recursive: true });

const configSchema = (schema: z.ZodType, title: string): Record<string, unknown> => ({
  title,
  ...(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>),
});

const sourceSchema = configSchema(
  sourceFileSchema.extend({
    adapter: z.union(Object.values(adapterRegistry).map((f) => f.configSchema as z.ZodType) as [z.ZodType, z.ZodType, ...z.ZodType[]]),
    mapping: mappingSpecSchema,
  }),
  'SP4N Bridge source file (config/sources/<id>.yaml)',
);

const files: Record<string, unknown> = {
  'canonical-complaint.v1.json': { title: 'SP4N canonical complaint v1', ...canonicalJsonSchema() },
  'bridge.schema.json': configSchema(bridgeSettingsSchema, 'SP4N Bridge main configuration (config/bridge.yaml)'),
  'source.schema.json': sourceSchema,
};
for (const [name, schema] of Object.entries(files)) {
  fs.writeFileSync(path.join(outDir, name), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schema/${name}`);
}
