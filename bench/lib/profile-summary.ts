/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) and sums self time per function and per file, so the
 * bench can print where the time went without opening DevTools.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileHotspot {
  name: string;
  self_ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  total_ms: number;
  idle_ms: number;
  gc_ms: number;
  top_functions: ProfileHotspot[];
  top_files: ProfileHotspot[];
}

function shortUrl(url: string, root: string): string {
  if (!url) return '(native)';
  const p = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = path.relative(root, p);
  const nm = rel.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = rel.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  return rel.startsWith('..') ? p : rel;
}

export function summariseProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += us;
    if (functionName === '(garbage collector)') gc += us;
    const where = shortUrl(url, root);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const rank = (m: Map<string, number>): ProfileHotspot[] =>
    [...m]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, self_ms: Math.round(us / 1000), share: Math.round((us / busy) * 1000) / 10 }));
  return { file, total_ms: Math.round(total / 1000), idle_ms: Math.round(idle / 1000), gc_ms: Math.round(gc / 1000), top_functions: rank(fns), top_files: rank(files) };
}
