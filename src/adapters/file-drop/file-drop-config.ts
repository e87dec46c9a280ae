/**
 * Config of the file-drop adapter: a folder where staff drop CSV and XLSX files of complaints
 * taken offline (walk-in desk, letters, phone). The spec is also the documentation
 * (docs/sources-file-drop.md shows it in use).
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { durationSchema } from '../../util/duration.js';
import { withEnv } from '../../settings/secrets.js';
import { byteSizeSchema } from '../../util/byte-size.js';

const pathSchema = withEnv(z.string().min(1, 'must not be empty'));

export const fileDropConfigSchema = z
  .object({
    type: z.literal('file-drop'),
    folder: pathSchema.describe('The drop folder staff put files in; absolute, or relative to the working directory; may use ${ENV_VAR}'),
    archive_folder: pathSchema.optional().describe('Where processed files go (default <folder>/archive); may be on another disk'),
    patterns: z
      .array(z.string().regex(/^[^/\\]+$/, 'a file-name pattern, not a path'))
      .min(1)
      .default(['*.csv', '*.xlsx'])
      .describe('File names to read (* and ? wildcards, case-insensitive); names ending .xlsx are read as XLSX, everything else as CSV'),
    complete_when: z
      .enum(['size_stable', 'done_marker'])
      .default('size_stable')
      .describe('size_stable: read a file once its size and modification time stop changing for stable_for; done_marker: read once <name>.done appears next to it (e.g. aduan.csv.done)'),
    stable_for: durationSchema.prefault('2s').describe('size_stable: how long size and modification time must stay unchanged (0 = read at once)'),
    key_column: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('Column holding each complaint\'s id (e.g. "no_register"); strongly recommended. Without it the key is a hash of the row\'s values (row:<hash>:<n>): the same row keeps its key when the file is saved again or dropped again, an edited row becomes a new complaint, and identical rows in one file are told apart only by their order'),
    encoding: z
      .enum(['auto', 'utf-8', 'windows-1252'])
      .default('auto')
      .describe('CSV text encoding; auto: UTF-8 (with or without BOM) when the bytes are valid UTF-8, else Windows-1252 (older Excel "CSV" exports)'),
    csv: z
      .object({
        delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto').describe('Field separator; auto picks , or ; (or tab) from the header line'),
        header_row: z.number().int().min(1).default(1).describe('Line of the header (1 = first); lines above it are skipped'),
      })
      .strict()
      .prefault({}),
    xlsx: z
      .object({
        sheet: z.string().min(1).optional().describe('Worksheet name; default the first worksheet'),
        header_row: z.number().int().min(1).default(1).describe('Sheet row of the header (1 = first); rows above it are skipped'),
      })
      .strict()
      .prefault({}),
    batch_size: z.number().int().min(1).max(10_000).default(500).describe('Rows per batch (one ledger transaction each)'),
    max_rows: z.number().int().min(1).default(200_000).describe('A file with more data rows is not read: it is archived with an errors report saying so'),
    max_file_bytes: byteSizeSchema.prefault('100MB').describe('A larger file is not read: it is archived with an errors report saying so (e.g. 100MB)'),
    max_cell_chars: z.number().int().min(1).default(32_767).describe('A row with a longer cell is quarantined (32,767 is Excel\'s own limit)'),
    max_row_chars: z
      .number()
      .int()
      .min(1000)
      .default(1_000_000)
      .describe('A CSV row longer than this (all its cells together, in characters) makes the whole file unreadable: it is archived with an errors report saying so. Catches a runaway quote or a hostile file before it is held in memory'),
    max_unpacked_bytes: byteSizeSchema
      .prefault('200MB')
      .describe('XLSX: the most the workbook may unpack to (an XLSX file is a ZIP archive; a small file can unpack to gigabytes). Measured by unpacking it while counting, before the workbook is opened; a larger one is archived with an errors report'),
    timezone: z
      .string()
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'must be an IANA time zone, e.g. Asia/Jakarta' })
      .default('Asia/Jakarta')
      .describe('Zone of the timestamp in archived file names'),
  })
  .strict();

export type FileDropConfig = z.output<typeof fileDropConfigSchema>;
