import { describe, expect, it } from '@jest/globals';
import { redactText, redactValue, registerSecretValue } from '../../src/util/redact.js';

describe('redaction: the one place personal data and secrets are removed', () => {
  it.each([
    ['hp 081234567890', 'hp [phone]'],
    ['hp +62 812-3456-7890 ok', 'hp [phone] ok'],
    ['hp 62812.3456.7890', 'hp [phone]'],
    ['kantor 021-5551234', 'kantor [phone]'],
    ['nik 3601121201900001', 'nik [nik]'],
    ['nik 36.01.12 120190 0001', 'nik [nik]'],
    ['nik salah 36011212019000012345', 'nik salah [nik]'],
    ['surel siti.aminah@mail.go.id', 'surel [email]'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer [redacted]'],
    ['{"token":"xyz"}', '{"token":"[redacted]"}'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each(['2024-05-01 10:00:00', 'id 1714532400000', 'skor 0.25 dari 12345', 'bebeja/30', 'RT 03 RW 05'])('leaves ordinary text alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('removes registered secret values wherever they appear', () => {
    registerSecretValue('s3cr3t-value-for-test');
    expect(redactText('failed with s3cr3t-value-for-test in url')).toBe('failed with [secret] in url');
  });

  it('masks personal keys and redacts what toJSON returns (e.g. an axios error with headers)', () => {
    const err = { toJSON: () => ({ config: { headers: { Authorization: 'Bearer abc123' } }, message: 'call 081234567890' }) };
    expect(redactValue({ reporter: { name: 'Siti' }, nik: '3601121201900001', err })).toEqual({
      reporter: '[personal]',
      nik: '[personal]',
      err: { config: { headers: { Authorization: 'Bearer [redacted]' } }, message: 'call [phone]' },
    });
  });
});
