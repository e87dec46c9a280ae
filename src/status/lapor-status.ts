/**
 * The canonical status model (issue #7): LAPOR! status names, as the API returns them, mapped to
 * the bridge's own follow-through stages in ONE table that configuration can extend. Unknown
 * names are kept raw and reported, never guessed.
 */
import { z } from 'zod';

export const followStages = ['received', 'verified', 'disposed', 'in_progress', 'closed', 'rejected'] as const;
export type FollowStage = (typeof followStages)[number];

/** LAPOR!'s known status names (DESIGN §4) and their stage; matching ignores case and spaces. */
export const DEFAULT_STATUS_TABLE: Readonly<Record<string, FollowStage>> = {
  'belum terverifikasi': 'received',
  terverifikasi: 'verified',
  didisposisikan: 'disposed',
  disposisi: 'disposed',
  diteruskan: 'disposed',
  'dalam proses': 'in_progress',
  diproses: 'in_progress',
  'tindak lanjut': 'in_progress',
  selesai: 'closed',
  ditutup: 'closed',
  ditolak: 'rejected',
  'tidak dapat ditindaklanjuti': 'rejected',
};

export const statusTableSchema = z
  .record(z.string().min(1), z.enum(followStages))
  .describe('Extra LAPOR! status names → stage (received, verified, disposed, in_progress, closed, rejected); merged over the built-in table');

export interface StatusModel {
  /** The stage of a raw status name, or `unknown` (the raw name is kept and reported). */
  stageOf(statusName: string | null | undefined): FollowStage | 'unknown';
  /** Whether following this complaint can stop (closed or rejected). */
  isFinal(stage: FollowStage | 'unknown'): boolean;
}

function norm(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function statusModel(extra: Readonly<Record<string, FollowStage>> = {}): StatusModel {
  const table = new Map<string, FollowStage>();
  for (const [name, stage] of Object.entries({ ...DEFAULT_STATUS_TABLE, ...extra })) table.set(norm(name), stage);
  return {
    stageOf(statusName) {
      if (!statusName || !statusName.trim()) return 'unknown';
      return table.get(norm(statusName)) ?? 'unknown';
    },
    isFinal(stage) {
      return stage === 'closed' || stage === 'rejected';
    },
  };
}
