/**
 * Issue #10, bounded input in mapping: every text field of the canonical complaint has an upper
 * bound. Title and content are truncated with a visible marker and a warning; an optional value
 * over its bound is dropped with a warning; a source id over its bound quarantines the record;
 * attachments past the most allowed are dropped with a warning. Reasons never quote personal data.
 */
import { describe, expect, it } from '@jest/globals';
import { FIELD_MAX } from '../../src/mapping/canonical.js';
import { finishComplaint } from '../../src/mapping/validate-complaint.js';

function draft(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: { external_id: 'A-1', received_at: '2024-03-01T08:30:00+07:00' },
    channel: 'web',
    title: 'Jalan rusak',
    content: 'Jalan desa berlubang besar.',
    is_anonymous: false,
    is_secret: false,
    ...over,
  };
}

const finish = (d: Record<string, unknown>) => finishComplaint(d, { sourceId: 'lokal', strictFields: new Set(), warnings: [] });

describe('field limits in mapping', () => {
  it('a source id longer than its bound quarantines the record with a clear reason', () => {
    const r = finish(draft({ source: { external_id: 'x'.repeat(FIELD_MAX.external_id + 1), received_at: '2024-03-01T08:30:00+07:00' } }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^source\.external_id: .*200/) });
  });

  it('optional values over their bound are dropped with a warning; the complaint still goes', () => {
    const r = finish(
      draft({
        source: { external_id: 'A-1', received_at: '2024-03-01T08:30:00+07:00', ticket: 'T'.repeat(500) },
        category: { source_code: 'k'.repeat(1000) },
        location: { address: 'Jl. '.repeat(300) },
        reporter: { name: 'Siti '.repeat(100), email: `${'a'.repeat(300)}@example.id` },
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.complaint.source.ticket).toBeUndefined();
    expect(r.complaint.category).toBeUndefined();
    expect(r.complaint.location).toBeUndefined();
    expect(r.complaint.reporter).toBeUndefined();
    expect(r.warnings.map((w) => [w.field, w.code])).toEqual(expect.arrayContaining([['source.ticket', 'dropped'], ['category.source_code', 'dropped'], ['location.address', 'dropped'], ['reporter.name', 'dropped'], ['reporter.email', 'dropped']]));
    // personal data and free text never travel in a warning
    expect(JSON.stringify(r.warnings)).not.toContain('Siti');
    expect(JSON.stringify(r.warnings)).not.toContain('@example.id');
    expect(JSON.stringify(r.warnings)).not.toContain('Jl. Jl.');
  });

  it('title and content are truncated with a marker and a warning; attachments past the bound are dropped with one', () => {
    const attachments = Array.from({ length: FIELD_MAX.attachments + 7 }, (_, i) => ({ url: `https://bebeja.example/f/${i}.jpg` }));
    const r = finish(draft({ title: 'J'.repeat(1000), content: 'isi '.repeat(10_000), attachments }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.complaint.title].length).toBe(150);
    expect(r.complaint.title.endsWith(' […]')).toBe(true);
    expect([...r.complaint.content].length).toBeLessThanOrEqual(20_000);
    expect(r.complaint.attachments).toHaveLength(FIELD_MAX.attachments);
    expect(r.warnings).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'title', code: 'truncated' }),
      expect.objectContaining({ field: 'content', code: 'truncated' }),
      { field: 'attachments', code: 'truncated', message: `more than ${FIELD_MAX.attachments} attachments; the last 7 dropped` },
    ]));
  });
});
