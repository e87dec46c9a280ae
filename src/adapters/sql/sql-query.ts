/**
 * The SQL text the sql adapter runs, as pure functions: identifier checks and quoting per driver,
 * the single-SELECT check for a user's query, the keyset query built from `table` + `columns`,
 * and the translation of the named watermark parameters into the driver's placeholders.
 */

export type SqlDriverName = 'mysql' | 'postgres' | 'sqlite';

/** The named parameters a query may (and a user's query must) use. */
export const SQL_PARAMS = ['since_updated_at', 'since_id', 'limit'] as const;
export type SqlParamName = (typeof SQL_PARAMS)[number];
export type SqlValue = string | number | null;

export const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `name` or `schema.name`, each part a plain identifier; anything else could smuggle SQL in. */
export function checkQualifiedName(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 2 || parts.some((p) => !IDENTIFIER_RE.test(p))) {
    return `"${text}" is not a plain identifier: use letters, digits and _ (not starting with a digit), optionally schema.table`;
  }
  return undefined;
}

export function quoteIdentifier(driver: SqlDriverName, name: string): string {
  if (!IDENTIFIER_RE.test(name)) throw new Error(`"${name}" is not a plain identifier`);
  return driver === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

export function quoteQualified(driver: SqlDriverName, text: string): string {
  return text
    .split('.')
    .map((p) => quoteIdentifier(driver, p))
    .join('.');
}

/** The two statements of the built form: the first page (no lower bound) and every later one. */
export function buildTableQueries(driver: SqlDriverName, table: string, columns: { id: string; updated_at: string }): { first: string; next: string } {
  const t = quoteQualified(driver, table);
  const u = quoteIdentifier(driver, columns.updated_at);
  const i = quoteIdentifier(driver, columns.id);
  const order = `ORDER BY ${u}, ${i} LIMIT :limit`;
  return {
    first: `SELECT * FROM ${t} WHERE ${u} IS NOT NULL ${order}`,
    // a NULL :since_id makes the second branch false: "everything at :since_updated_at is read"
    next: `SELECT * FROM ${t} WHERE (${u} > :since_updated_at OR (${u} = :since_updated_at AND ${i} > :since_id)) ${order}`,
  };
}

type Piece = { kind: 'code'; text: string } | { kind: 'opaque'; text: string };

/**
 * Splits SQL into code and opaque parts (string literals, quoted identifiers, comments), so that
 * checks and parameter substitution only ever look at code.
 */
export function splitSql(sql: string, driver: SqlDriverName): Piece[] {
  const pieces: Piece[] = [];
  let code = '';
  const flush = () => {
    if (code) pieces.push({ kind: 'code', text: code });
    code = '';
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    let end = -1;
    if (c === "'" || c === '"' || (c === '`' && driver !== 'postgres')) {
      end = i + 1;
      for (;;) {
        if (end >= sql.length) throw new SqlTextError(`unterminated ${c} quote`);
        if (sql[end] === '\\' && driver === 'mysql') end += 2;
        else if (sql[end] === c && sql[end + 1] === c) end += 2;
        else if (sql[end] === c) break;
        else end++;
      }
      end++;
    } else if ((c === '-' && next === '-') || (c === '#' && driver === 'mysql')) {
      end = sql.indexOf('\n', i);
      if (end === -1) end = sql.length;
    } else if (c === '/' && next === '*') {
      end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new SqlTextError('unterminated /* comment');
      end += 2;
    } else if (c === '$' && driver === 'postgres') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        if (close === -1) throw new SqlTextError(`unterminated ${tag} quote`);
        end = close + tag.length;
      }
    }
    if (end === -1) {
      code += c;
      i++;
    } else {
      flush();
      pieces.push({ kind: 'opaque', text: sql.slice(i, end) });
      i = end;
    }
  }
  flush();
  return pieces;
}

export class SqlTextError extends Error {}

/** Words that have no place in a read: writing, DDL, locking, SELECT … INTO. */
const FORBIDDEN = /\b(insert|update|delete|merge|upsert|replace\s+into|create|drop|alter|truncate|rename|grant|revoke|call|exec|execute|into|attach|detach|pragma|vacuum|lock|unlock|copy|set_config|load_file)\b/i;

/**
 * Problems with a user's query, or none: it must be one SELECT (or WITH … SELECT) statement that
 * uses every named parameter and no placeholder of its own.
 */
export function checkUserQuery(sql: string, driver: SqlDriverName): string[] {
  let pieces: Piece[];
  try {
    pieces = splitSql(sql, driver);
  } catch (err) {
    return [(err as Error).message];
  }
  const code = pieces
    .filter((p) => p.kind === 'code')
    .map((p) => p.text)
    .join(' ');
  const problems: string[] = [];
  const body = code.trim().replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(body)) problems.push('must be a SELECT (or WITH … SELECT) statement');
  if (body.includes(';')) problems.push('must be a single statement (no ";" inside)');
  const word = FORBIDDEN.exec(body)?.[1];
  if (word) problems.push(`must only read: "${word.toUpperCase()}" is not allowed`);
  if (driver !== 'postgres' && body.includes('?')) problems.push('use the named parameters :since_updated_at, :since_id and :limit, not "?"');
  if (driver === 'postgres' && /\$\d/.test(body)) problems.push('use the named parameters :since_updated_at, :since_id and :limit, not "$1"');
  try {
    const used = new Set(translateNamedParams(sql, driver).order);
    const missing = SQL_PARAMS.filter((p) => !used.has(p));
    if (missing.length) problems.push(`must use ${missing.map((p) => `:${p}`).join(', ')} (see the keyset template in docs/sources-sql.md)`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}

/**
 * Replaces `:since_updated_at`, `:since_id` and `:limit` with the driver's placeholders: `?` in
 * order of appearance (mysql, sqlite) or `$n` per name (postgres). `::type` casts are left alone.
 */
export function translateNamedParams(sql: string, driver: SqlDriverName): { sql: string; order: SqlParamName[] } {
  const order: SqlParamName[] = [];
  let out = '';
  for (const piece of splitSql(sql, driver)) {
    if (piece.kind === 'opaque') {
      out += piece.text;
      continue;
    }
    out += piece.text.replace(/(::)|(?<![A-Za-z0-9_:]):([A-Za-z_][A-Za-z0-9_]*)/g, (whole, cast: string | undefined, name: string | undefined) => {
      if (cast || !name) return whole;
      if (!(SQL_PARAMS as readonly string[]).includes(name)) throw new SqlTextError(`unknown parameter :${name}; known: ${SQL_PARAMS.map((p) => `:${p}`).join(', ')}`);
      const param = name as SqlParamName;
      if (driver !== 'postgres') {
        order.push(param);
        return '?';
      }
      if (!order.includes(param)) order.push(param);
      return `$${order.indexOf(param) + 1}`;
    });
  }
  return { sql: out, order };
}

export function bindParams(order: readonly SqlParamName[], values: Readonly<Record<SqlParamName, SqlValue>>): SqlValue[] {
  return order.map((name) => values[name]);
}
