/**
 * XML plumbing of the `lapor-legacy-xml` dialect (DESIGN §4), shared by the sink and the LAPOR!
 * simulator: documents are built with fast-xml-parser's XMLBuilder (never by concatenating
 * strings) and read with its XMLParser configured to be safe with untrusted input:
 *
 * - a document with a DTD (`<!DOCTYPE`, `<!ENTITY`) is refused before parsing, so there are no
 *   internal or external entities to expand;
 * - only the five predefined XML entities and numeric character references are decoded, in one
 *   pass (`&amp;lt;` stays the text `&lt;`);
 * - well-formedness is checked first (XMLValidator): the parser alone is lenient;
 * - nesting depth and input size are capped.
 */
import { XMLBuilder, XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';

/** Longest XML document this module reads, in characters. */
export const MAX_XML_CHARS = 2 * 1024 * 1024;
const MAX_DEPTH = 32;

export const ATTR = '@_';
export const TEXT = '#text';

/** A parsed element: attributes as `@_name`, text as `#text` (or the element is just a string). */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] };

// ------------------------------------------------------------------------------------ text

/**
 * Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) are
 * removed; CR LF and lone CR become LF (an XML parser would normalise them anyway, so this keeps
 * what is sent equal to what is stored).
 */
export function xmlSafeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

/** The five predefined entities and numeric character references, nothing else, in one pass. */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(lt|gt|amp|quot|apos));/g, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return PREDEFINED[name] as string;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex as string, 16);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
  });
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** fast-xml-parser's decoder hook: ours ignores DTD entities (a DTD is refused before parsing anyway). */
function safeDecoder(): EntityDecoderOptions {
  return {
    setExternalEntities: () => undefined,
    addInputEntities: () => undefined,
    reset: () => undefined,
    setXmlVersion: () => undefined,
    decode: decodeXmlEntities,
  };
}

// ------------------------------------------------------------------------------------ build

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  processEntities: true, // escapes & < > " ' in text and attribute values
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  format: false,
});

/** Serialises a document object (see XmlNode) with an XML declaration, UTF-8. */
export function buildXml(doc: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(doc) as string}`;
}

// ------------------------------------------------------------------------------------ parse

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  parseTagValue: false, // ids stay strings ("0012")
  parseAttributeValue: false,
  trimValues: false, // the stored text is exactly the text sent
  processEntities: true,
  htmlEntities: false,
  entityDecoder: safeDecoder(),
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  allowBooleanAttributes: false,
});

export type ParsedXml = { ok: true; doc: Record<string, XmlNode | XmlNode[]> } | { ok: false; error: string };

/** Parses untrusted XML: refuses DTDs, malformed documents, oversized input and non-XML text. */
export function parseXml(text: string): ParsedXml {
  if (text.length > MAX_XML_CHARS) return { ok: false, error: `document larger than ${MAX_XML_CHARS} characters` };
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, error: 'empty body' };
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { ok: false, error: 'DTDs are not accepted' };
  const valid = XMLValidator.validate(body);
  if (valid !== true) return { ok: false, error: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})` };
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch (err) {
    return { ok: false, error: `not well-formed XML: ${(err as Error).message}` };
  }
  if (!doc || typeof doc !== 'object') return { ok: false, error: 'no root element' };
  const roots = Object.keys(doc).filter((k) => k !== TEXT && !k.startsWith('?') && !k.startsWith(ATTR));
  if (roots.length !== 1) return { ok: false, error: roots.length ? 'more than one root element' : 'no root element' };
  return { ok: true, doc: doc as Record<string, XmlNode | XmlNode[]> };
}

/** The root element's name and node of a parsed document. */
export function rootOf(doc: Record<string, XmlNode | XmlNode[]>): { name: string; node: XmlNode } {
  const name = Object.keys(doc).find((k) => k !== TEXT && !k.startsWith('?') && !k.startsWith(ATTR)) as string;
  const node = doc[name] as XmlNode | XmlNode[];
  return { name, node: Array.isArray(node) ? (node[0] as XmlNode) : node };
}

/** The text of an element node (`<a>x</a>` → "x", `<a b="1">x</a>` → "x", `<a/>` → ""). */
export function textOf(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined) return undefined;
  const n = Array.isArray(node) ? node[0] : node;
  if (n === undefined) return undefined;
  if (typeof n === 'string') return n;
  const t = n[TEXT];
  if (t === undefined) return Object.keys(n).some((k) => !k.startsWith(ATTR)) ? undefined : '';
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string').join('') : typeof t === 'string' ? t : undefined;
}

/** An attribute of an element node. */
export function attrOf(node: XmlNode | XmlNode[] | undefined, name: string): string | undefined {
  const n = Array.isArray(node) ? node[0] : node;
  if (!n || typeof n === 'string') return undefined;
  const v = n[ATTR + name];
  return typeof v === 'string' ? v : undefined;
}

/** A child element (the first when repeated). */
export function childOf(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | undefined {
  const n = Array.isArray(node) ? node[0] : node;
  if (!n || typeof n === 'string') return undefined;
  const c = n[name];
  return Array.isArray(c) ? c[0] : c;
}

/** The text of the first element named one of `names`, anywhere in the tree (depth first, document order). */
export function findText(node: XmlNode | XmlNode[] | Record<string, XmlNode | XmlNode[]> | undefined, names: readonly string[], depth = 0): string | undefined {
  if (node === undefined || typeof node === 'string' || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findText(item, names, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const name of names) {
    if (name in node) {
      const t = textOf(node[name]);
      if (t !== undefined) return t;
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === TEXT || k.startsWith(ATTR)) continue;
    const found = findText(v, names, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Every element node (anywhere in the tree) that has a child named `key`. */
export function elementsWith(node: XmlNode | XmlNode[] | Record<string, XmlNode | XmlNode[]> | undefined, key: string, out: Record<string, XmlNode | XmlNode[]>[] = [], depth = 0): Record<string, XmlNode | XmlNode[]>[] {
  if (node === undefined || typeof node === 'string' || depth > MAX_DEPTH) return out;
  if (Array.isArray(node)) {
    for (const item of node) elementsWith(item, key, out, depth + 1);
    return out;
  }
  if (key in node) out.push(node);
  for (const [k, v] of Object.entries(node)) {
    if (k === TEXT || k.startsWith(ATTR) || k === key) continue;
    elementsWith(v, key, out, depth + 1);
  }
  return out;
}

/**
 * Decodes a reply body: the charset of the Content-Type header, else the XML declaration's
 * encoding, else UTF-8 (a label TextDecoder does not know falls back to UTF-8).
 */
export function decodeBody(data: unknown, contentType?: string): string {
  if (typeof data === 'string') return data;
  if (data === undefined || data === null) return '';
  const bytes = Buffer.isBuffer(data) ? data : data instanceof ArrayBuffer ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : undefined;
  if (!bytes) return typeof data === 'object' ? JSON.stringify(data) : String(data);
  const head = bytes.subarray(0, 200).toString('latin1');
  const label = /charset=["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? /^\s*<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(head)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
