import { describe, expect, it } from '@jest/globals';
import { statusModel, statusTableSchema } from '../../src/status/lapor-status.js';

describe('canonical status model', () => {
  const model = statusModel();

  it.each([
    ['Belum Terverifikasi', 'received'],
    ['Terverifikasi', 'verified'],
    ['  dalam   proses ', 'in_progress'],
    ['SELESAI', 'closed'],
    ['Ditolak', 'rejected'],
    ['Didisposisikan', 'disposed'],
  ])('%s → %s', (name, stage) => {
    expect(model.stageOf(name)).toBe(stage);
  });

  it('keeps unknown names unknown (reported raw, never guessed)', () => {
    expect(model.stageOf('Menunggu Tanggapan Pelapor')).toBe('unknown');
    expect(model.stageOf('')).toBe('unknown');
    expect(model.stageOf(undefined)).toBe('unknown');
  });

  it('configuration extends and overrides the table', () => {
    const extra = statusTableSchema.parse({ 'Menunggu Tanggapan Pelapor': 'in_progress', Selesai: 'closed' });
    const m = statusModel(extra);
    expect(m.stageOf('menunggu tanggapan pelapor')).toBe('in_progress');
    expect(() => statusTableSchema.parse({ X: 'finished' })).toThrow();
  });

  it('closed and rejected are final; nothing else is', () => {
    expect(['received', 'verified', 'disposed', 'in_progress', 'unknown'].map((s) => model.isFinal(s as never))).toEqual([false, false, false, false, false]);
    expect(model.isFinal('closed') && model.isFinal('rejected')).toBe(true);
  });
});
