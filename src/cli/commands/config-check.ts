/** `config check`: validates every configuration file and secret reference. */
import { tlsWarnings, type TlsConfig } from '../../net/http-client.js';
import { formatProblem, loadSettings, type LoadedSettings } from '../../settings/load-settings.js';
import { looseModeWarning, secretFiles } from '../../settings/secrets.js';
import type { GlobalOptions } from '../context.js';
import { print, printJson } from '../output.js';

/**
 * What is valid but unsafe (issue #10): secret files or the ledger readable by group/others, TLS
 * verification turned off. Warnings, not errors: the exit code stays 0.
 */
export function configWarnings(v: LoadedSettings): string[] {
  const out: string[] = [];
  const files = [...secretFiles(v.settings), ...v.sources.flatMap((s) => secretFiles(s.adapterConfig, `${s.id}: adapter`))];
  for (const f of files) {
    const w = looseModeWarning(f.file, `secret file (${f.key})`);
    if (w) out.push(w);
  }
  for (const suffix of ['', '-wal', '-shm']) {
    const w = looseModeWarning(`${v.ledgerPath}${suffix}`, 'ledger file');
    if (w) out.push(w);
  }
  out.push(...tlsWarnings('the destination', (v.settings.destination as { tls?: Partial<TlsConfig> }).tls));
  return out;
}

export function configCheck(g: GlobalOptions): number {
  const r = loadSettings(g.config);
  if (g.json) {
    printJson(
      r.ok
        ? { ok: true, file: r.value.file, ledger: r.value.ledgerPath, sources: r.value.sources.map((s) => ({ id: s.id, adapter: s.adapterKind, schedule: s.schedule, enabled: s.enabled, mapping_version: s.mapping.version })), warnings: configWarnings(r.value) }
        : { ok: false, problems: r.problems },
    );
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
  for (const w of configWarnings(v)) print(`⚠ ${w}`);
  return 0;
}
