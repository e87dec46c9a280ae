/** `npm run schema`: writes the generated JSON Schemas to `schema/`. */
import fs from 'node:fs';
import path from 'node:path';
import { buildJsonSchemas, renderJsonSchema } from '../src/settings/json-schemas.js';

const outDir = path.resolve(import.meta.dirname, '..', 'schema');
fs.mkdirSync(outDir, { recursive: true });
for (const [name, schema] of Object.entries(buildJsonSchemas())) {
  fs.writeFileSync(path.join(outDir, name), renderJsonSchema(schema));
  console.log(`wrote schema/${name}`);
}
