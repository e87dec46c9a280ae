/**
 * `lapor masters`: writes LAPOR!'s institution and category lists as lookup CSV files
 * (`lapor-institutions.csv`, `lapor-categories.csv`) for mappings to use. Exit 0 when the files
 * were written (a deployment without a category list is a notice, not a failure); 1 when LAPOR!
 * cannot be read (wrong credentials, wrong URL, no reply) or the destination is not `lapor-v3`.
 */
import path from 'node:path';
import { DEFAULT_CATEGORIES_PATH, fetchAndWriteMasters, INSTITUTIONS_FILE } from '../../ops/lapor-masters.js';
import { loadSettingsOrThrow } from '../../settings/load-settings.js';
import type { GlobalOptions } from '../context.js';
import { print, printJson, UsageError } from '../output.js';

export interface LaporMastersOptions {
  /** Default: the configured lookups folder (lookups_dir, normally config/lookups/). */
  readonly out?: string;
  readonly categoriesPath?: string;
  /** `--no-categories` sets it to false. */
  readonly categories?: boolean;
  readonly pageSize?: string;
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export async function laporMasters(g: GlobalOptions, o: LaporMastersOptions): Promise<number> {
  let pageSize: number | undefined;
  if (o.pageSize !== undefined) {
    if (!/^\d+$/.test(o.pageSize) || Number(o.pageSize) < 1) throw new UsageError(`--page-size: "${o.pageSize}" is not a whole number (1 or more)`);
    pageSize = Number(o.pageSize);
  }
  if (o.categoriesPath !== undefined && !o.categoriesPath.startsWith('/')) throw new UsageError(`--categories-path: "${o.categoriesPath}" must be a path under the base URL, starting with /`);
  const config = loadSettingsOrThrow(g.config);
  const d = config.settings.destination;
  if (d.dialect !== 'lapor-v3') {
    process.stderr.write(`sp4n-bridge: lapor masters needs the lapor-v3 dialect; destination.dialect is ${d.dialect}, which has no master-data API. Write the lookup files by hand (config/lookups/README.md).\n`);
    return 1;
  }
  const outDir = path.resolve(o.out ?? config.lookupsDir);
  const result = await fetchAndWriteMasters(d, {
    outDir,
    categoriesPath: o.categories === false ? false : (o.categoriesPath ?? DEFAULT_CATEGORIES_PATH),
    pageSize,
  });
  if (g.json) {
    // no key called `name` here: the JSON redactor masks those as personal data
    printJson({ ok: true, out_dir: outDir, files: result.files, notices: result.notices });
    return 0;
  }
  for (const f of result.files) {
    print(`${f.replaced ? 'replaced' : 'wrote'} ${shown(f.file)}: ${f.rows} ${f.kind} (GET ${f.source_path}, ${f.pages} page${f.pages === 1 ? '' : 's'})`);
  }
  for (const n of result.notices) print(`note: ${n}`);
  const inst = result.files.find((f) => f.kind === 'institutions');
  if (inst) {
    const sameDir = path.resolve(outDir) === path.resolve(config.lookupsDir);
    print(`use in a mapping: target_agency.lapor_institution_id: { path: <field>, transforms: [{ lookup: { file: ${INSTITUTIONS_FILE} } }] }${sameDir ? '' : ` (copy the files to ${shown(config.lookupsDir)} first)`}`);
  }
  return 0;
}
