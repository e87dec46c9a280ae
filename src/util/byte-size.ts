/** Byte sizes in config: a number of bytes, or "300B", "512KB", "16MB", "1GB" (binary units). */
import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] as number));
}

/** `1MB`, `512KB`, `300B`: how a size is shown back to people. */
export function formatByteSize(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)}MB`;
  if (n % 1024 === 0) return `${n / 1024}KB`;
  return `${n}B`;
}

export const byteSizeSchema = z.union([
  z.number().int().positive(),
  z.string().transform((s, ctx) => {
    const n = parseByteSize(s);
    if (n === undefined || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a size; use e.g. 512KB, 16MB, 1GB or a number of bytes` });
      return z.NEVER;
    }
    return n;
  }),
]);
