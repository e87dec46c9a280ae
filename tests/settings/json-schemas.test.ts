import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { canonicalComplaintSchema } from '../../src/mapping/canonical.js';
import { buildJsonSchemas, renderJsonSchema } from '../../src/settings/json-schemas.js';
import { REPO_ROOT } from '../helpers/workdir.js';

describe('generated JSON Schemas', () => {
  it.each(Object.entries(buildJsonSchemas()))('schema/%s is up to date (run `npm run schema`)', (name, schema) => {
    expect(fs.readFileSync(path.join(REPO_ROOT, 'schema', name), 'utf8')).toBe(renderJsonSchema(schema));
  });

  it('the canonical complaint schema requires what DESIGN §3 requires', () => {
    const s = buildJsonSchemas()['canonical-complaint.v1.json'] as { required: string[]; properties: Record<string, unknown> };
    expect(s.required.sort()).toEqual(['channel', 'content', 'is_anonymous', 'is_secret', 'source', 'title']);
    expect(Object.keys(s.properties).sort()).toEqual(Object.keys(canonicalComplaintSchema.shape).sort());
  });
});
