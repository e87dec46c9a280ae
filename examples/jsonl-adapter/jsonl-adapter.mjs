/**
 * Example adapter plugin for SP4N Bridge: complaints from a JSON-lines file (one JSON object
 * per line, appended by some other program). Use it from a source file:
 *
 *   adapter:
 *     type: ../../examples/jsonl-adapter/jsonl-adapter.mjs   # relative to the source file
 *     file: /var/spool/aduan/aduan.jsonl
 *
 * A plugin module exports an adapter definition: { kind, description, configSchema, create }.
 * `configSchema` is any schema with `safeParse` (zod here); `create(config, ctx)` returns an
 * object with the source adapter contract (src/adapters/adapter.ts): open, read, check, close.
 * The cursor is the byte offset of the first line not yet read, so a restart resumes there and
 * a half-written last line is left for the next read.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const configSchema = z
  .object({
    type: z.string(),
    file: z.string().describe('The JSON-lines file, one complaint per line'),
    id_field: z.string().default('id').describe('Field holding the complaint id'),
    batch_size: z.number().int().min(1).max(10_000).default(100).describe('Lines per batch'),
  })
  .strict();

const CHUNK = 1 << 20;

class JsonLinesAdapter {
  kind = 'jsonl';
  capabilities = { incremental: true, writeBack: false };

  constructor(config, ctx) {
    this.config = config;
    this.ctx = ctx;
  }

  async open() {}

  /** Reads complete lines from `offset`: [{ line, end }] with the byte offset after each. */
  lines(offset, max) {
    if (!fs.existsSync(this.config.file)) return [];
    const fd = fs.openSync(this.config.file, 'r');
    try {
      const out = [];
      let pos = offset;
      let carry = Buffer.alloc(0);
      while (out.length < max) {
        const buf = Buffer.alloc(CHUNK);
        const n = fs.readSync(fd, buf, 0, CHUNK, pos + carry.length);
        if (n === 0) break;
        let data = Buffer.concat([carry, buf.subarray(0, n)]);
        let start = 0;
        for (let nl = data.indexOf(10, start); nl !== -1 && out.length < max; nl = data.indexOf(10, start)) {
          out.push({ line: data.subarray(start, nl).toString('utf8'), end: pos + nl + 1 });
          start = nl + 1;
        }
        pos += start;
        carry = data.subarray(start);
        data = undefined;
        if (n < CHUNK) break;
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }

  async *read(from, options = {}) {
    let offset = options.full || !from ? 0 : from.offset;
    for (;;) {
      const lines = this.lines(offset, this.config.batch_size);
      if (lines.length === 0) return;
      const records = [];
      for (const { line, end } of lines) {
        if (line.trim() === '') continue;
        let raw;
        try {
          raw = JSON.parse(line);
        } catch {
          records.push({ externalId: `line:${end}`, raw: { line }, problem: `not JSON (the line ending at byte ${end})` });
          continue;
        }
        const id = raw?.[this.config.id_field];
        if (id === undefined || id === null || id === '') records.push({ externalId: `line:${end}`, raw, problem: `no "${this.config.id_field}"` });
        else records.push({ externalId: String(id), raw });
      }
      offset = lines[lines.length - 1].end;
      yield { records, cursor: { offset } };
    }
  }

  async check() {
    const dir = path.dirname(path.resolve(this.config.file));
    try {
      fs.accessSync(dir, fs.constants.R_OK);
      return { ok: true, message: `[${this.ctx.sourceId}] ${this.config.file} is readable` };
    } catch {
      return { ok: false, message: `[${this.ctx.sourceId}] jsonl: the folder ${dir} does not exist or cannot be read` };
    }
  }

  async close() {}
}

export default {
  kind: 'jsonl',
  description: 'Example plugin: complaints from a JSON-lines file',
  configSchema,
  create: (config, ctx) => new JsonLinesAdapter(config, ctx),
};
