/** Temporary folders with a copy of the shipped configuration, removed after each test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'sp4n-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Copies `config/` into a new temp folder and returns the path of its bridge.yaml. With
 * `immediateReconcile`, in-doubt sends are looked up on the very next cycle (tests do not wait
 * the production minute).
 */
export function copyShippedConfig(dir: string, options: { immediateReconcile?: boolean } = {}): string {
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
  const file = path.join(dir, 'config', 'bridge.yaml');
  if (options.immediateReconcile) {
    const text = fs.readFileSync(file, 'utf8');
    const edited = text.replace(/reconcile_after: \S+/, 'reconcile_after: 0s');
    if (edited === text) throw new Error('config/bridge.yaml has no reconcile_after to edit');
    fs.writeFileSync(file, edited);
  }
  return file;
}

export function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
