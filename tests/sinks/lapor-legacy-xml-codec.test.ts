/** The XML codec of the legacy dialect: a real builder, and a parser that is safe with untrusted input. */
import { describe, expect, it } from '@jest/globals';
import { buildXml, decodeXmlEntities, findText, parseXml, xmlSafeText } from '../../src/sinks/lapor-legacy-xml/legacy-xml.js';

const TRICKY = `</isi><script>alert("x")</script> &amp; &lt; 'kutip' "dua" a<b>c & d 😀 Jalan berlubang di Kecamatan Labuan — mohon segera diperbaiki`;

describe('legacy XML codec', () => {
  it('builds with escaping and parses back to the same text (markup, entities, quotes, emoji, Indonesian)', () => {
    const text = buildXml({ lapor: { '@_token': 'a"b<c&d\'e', laporan: { isi: TRICKY } } });
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><lapor token="a&quot;b&lt;c&amp;d')).toBe(true);
    expect(text).not.toContain('</isi><script>');
    const parsed = parseXml(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.doc.lapor).toEqual({ '@_token': 'a"b<c&d\'e', laporan: { isi: TRICKY } });
  });

  it('decodes the five predefined entities and character references in one pass, nothing else', () => {
    expect(decodeXmlEntities('&amp;lt; &lt; &gt; &quot; &apos; &amp;')).toBe('&lt; < > " \' &');
    expect(decodeXmlEntities('&#128512; &#x1F600; &#65;')).toBe('😀 😀 A');
    expect(decodeXmlEntities('&nbsp; &copy; &#0; &#xD800;')).toBe('&nbsp; &copy; &#0; &#xD800;'); // HTML entities and non-characters stay as text
  });

  it('a client that writes non-ASCII as character references is read correctly', () => {
    const parsed = parseXml('<lapor><isi>Caf&#233; &#x1F600; &amp;#233;</isi></lapor>');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(findText(parsed.doc, ['isi'])).toBe('Café 😀 &#233;');
  });

  it.each([
    ['an internal entity', '<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>'],
    ['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'],
    ['entity expansion (billion laughs)', '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>'],
    ['a plain DOCTYPE', '<!DOCTYPE html><html></html>'],
  ])('refuses a document with a DTD: %s', (_what, text) => {
    expect(parseXml(text)).toEqual({ ok: false, error: 'DTDs are not accepted' });
  });

  it.each([
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed', '<a><b>x</b>'],
    ['text only', 'hello'],
    ['two roots', '<a/><b/>'],
    ['empty', '   '],
    ['a bare ampersand', '<a>AT&T</a>'],
  ])('refuses malformed input: %s', (_what, text) => {
    expect(parseXml(text).ok).toBe(false);
  });

  it('refuses absurd nesting', () => {
    expect(parseXml(`${'<a>'.repeat(200)}x${'</a>'.repeat(200)}`).ok).toBe(false);
  });

  it('keeps whitespace and leading zeros of text exactly', () => {
    const parsed = parseXml('<r><isi>  dua  spasi \n</isi><id>0012</id></r>');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.doc.r).toEqual({ isi: '  dua  spasi \n', id: '0012' });
  });

  it('xmlSafeText drops what XML 1.0 cannot carry, keeps the rest', () => {
    expect(xmlSafeText('a\u0000b\u0008c\u000bd\u001fe\uFFFEf\uD800g\tx\ny\r\nz 😀')).toBe('abcdefg\tx\ny\nz 😀');
  });
});
