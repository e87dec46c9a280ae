/** Temporary folders with a copy of the shipped configuration, removed after each test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'sp4n-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Copies `config/` into a new temp folder and returns the path of its bridge.yaml. */
export function copyShippedConfig(dir: string): string {
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
  return path.join(dir, 'config', 'bridge.yaml');
}

export function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
