/** `config check`: validates every configuration file and secret reference. */
import { formatProblem, loadSettings } from '../../settings/load-settings.js';
import type { GlobalOptions } from '../context.js';
import { print, printJson } from '../output.js';

export function configCheck(g: GlobalOptions): number {
  const r = loadSettings(g.config);
  if (g.json) {
    printJson(r.ok ? { ok: true, file: r.value.file, ledger: r.value.ledgerPath, sources: r.value.sources.map((s) => ({ id: s.id, adapter: s.adapterKind, schedule: s.schedule, enabled: s.enabled, mapping_version: s.mapping.version })) } : { ok: false, problems: r.problems });
    return r.ok ? 0 : 1;
  }
  if (!r.ok) {
    print(`✗ ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} found:`);
    for (const p of r.problems) print(formatProblem(p));
    return 1;
  }
  const v = r.value;
  print(`✓ ${v.file} is valid`);
  print(`  ledger:      ${v.ledgerPath}`);
  print(`  destination: ${v.settings.destination.dialect} ${v.settings.destination.base_url}`);
  for (const s of v.sources) print(`  source:      ${s.id} (${s.adapterKind}, "${s.schedule}"${s.enabled ? '' : ', disabled'}, mapping ${s.mapping.version})`);
  if (v.sources.length === 0) print('  (no sources configured)');
  return 0;
}
