/**
 * The legacy XML dialect of the LAPOR! simulator (DESIGN §4, `lapor-legacy-xml`): reading an
 * `addstream` request and writing the XML replies. Used by `LaporSimulator` with
 * `dialect: 'legacy-xml'`; the routes and fault injection live there.
 */
import { attrOf, buildXml, childOf, parseXml, rootOf, textOf, type XmlNode } from '../sinks/lapor-legacy-xml/legacy-xml.js';

/** Default paths of the legacy API (relative to the simulator's base path, '' by default). */
export const LEGACY_XML_PATHS = { create: '/api/stream/addstream', search: '/api/stream/search' } as const;

export interface LegacyPelapor {
  email: string;
  telpon: string;
  namadepan: string;
  namabelakang: string;
}

/** What the simulator stores of an `addstream` request: the text decoded, the flags as sent. */
export interface LegacyComplaintBody {
  /** The text of `<isi>`, entities decoded, exactly as sent (no trimming). */
  isi: string;
  /** `rahasia` attribute: "0" or "1". */
  rahasia: string;
  /** `anonim` attribute: "0" or "1". */
  anonim: string;
  /** Present only when the request had a `<pelapor>` element. */
  pelapor?: LegacyPelapor;
  /** Index signature so it fits `LaporComplaint.body`. */
  [key: string]: unknown;
}

export type AddStreamParse =
  | { ok: true; token: string | undefined; body: LegacyComplaintBody }
  /** `status` 400 for a request that is not a usable `<lapor>` document. */
  | { ok: false; status: 400; message: string };

/** Parses and validates an `addstream` body (the token is checked by the caller, after this). */
export function parseAddStream(text: unknown): AddStreamParse {
  if (typeof text !== 'string') return { ok: false, status: 400, message: 'Body harus XML UTF-8 (Content-Type: text/xml).' };
  const xml = parseXml(text);
  if (!xml.ok) return { ok: false, status: 400, message: `XML tidak valid: ${xml.error}` };
  const root = rootOf(xml.doc);
  if (root.name !== 'lapor') return { ok: false, status: 400, message: `Elemen akar harus <lapor>, bukan <${root.name}>.` };
  const laporan = childOf(root.node, 'laporan');
  if (laporan === undefined) return { ok: false, status: 400, message: 'Elemen <laporan> wajib ada.' };
  const isiNode = childOf(laporan, 'isi');
  const isi = isiNode === undefined ? undefined : textOf(isiNode);
  if (isi === undefined) return { ok: false, status: 400, message: 'Elemen <isi> wajib ada.' };
  if (isi.trim() === '') return { ok: false, status: 400, message: 'Isi laporan wajib diisi.' };
  const flags: Record<'rahasia' | 'anonim', string> = { rahasia: '0', anonim: '0' };
  for (const name of ['rahasia', 'anonim'] as const) {
    const v = attrOf(laporan, name);
    if (v !== undefined && v !== '0' && v !== '1') return { ok: false, status: 400, message: `Atribut ${name} harus 0 atau 1.` };
    if (v !== undefined) flags[name] = v;
  }
  const body: LegacyComplaintBody = { isi, ...flags };
  const pelapor = childOf(root.node, 'pelapor');
  if (pelapor !== undefined) {
    const field = (name: string): string => textOf(childOf(pelapor, name)) ?? '';
    body.pelapor = { email: field('email'), telpon: field('telpon'), namadepan: field('namadepan'), namabelakang: field('namabelakang') };
  }
  return { ok: true, token: attrOf(root.node, 'token'), body };
}

/** `<response><trackingid>…</trackingid><transaksiid>…</transaksiid></response>` */
export function legacySuccessXml(trackingId: string, transactionId: string): string {
  return buildXml({ response: { status: 'sukses', trackingid: trackingId, transaksiid: transactionId } });
}

/** `<response><status>gagal</status><message>…</message></response>` */
export function legacyErrorXml(message: string): string {
  return buildXml({ response: { status: 'gagal', message } });
}

/** A success without ids (the `no-id` fault). */
export function legacyNoIdXml(): string {
  return buildXml({ response: { status: 'sukses' } });
}

/** Search reply: `<response><data><laporan><trackingid/><isi/></laporan>…</data><next_page_url/></response>` */
export function legacySearchXml(items: { trackingid: string; isi: string }[]): string {
  return buildXml({ response: { data: { laporan: items.map((i) => ({ trackingid: i.trackingid, isi: i.isi })) }, next_page_url: '' } });
}

/** The raw request with the token attribute's value masked (what the simulator keeps). */
export function maskToken(raw: string): string {
  return raw.replace(/(\btoken\s*=\s*)(["'])[^"']*\2/, '$1$2[token]$2');
}

export type { XmlNode };
