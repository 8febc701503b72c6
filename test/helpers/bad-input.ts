import fc from 'fast-check';
import {
  type GraphQLArgument,
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/types.js';
import { ERROR_STATUS } from '../../src/errors.js';
import { encodeId } from '../../src/ids.js';

/**
 * Arbitraries, response checks and database snapshots for test/bad-input.test.ts.
 */

/** Pieces of text that break naive code: NUL, lone surrogates, bidi marks, ZWJ emoji, BOM… */
const ODD = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u200b',
  '\ufeff',
  '\uffff',
  '\u0301',
  '👩‍👩‍👧',
  '🇬🇧',
  'مرحبا',
  '\\',
  '"',
  "'; drop table contacts; --",
  '{{1}}',
  '%00',
  '\r\n',
];
const odd = fc
  .array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'binary', maxLength: 4 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

/** Around the input limits (100, 255, 1024, 4096, 5000 characters) and the 100 kB body limit. */
export const huge = fc
  .oneof(
    fc.constantFrom(101, 256, 1025, 4097, 5001, 20_000),
    fc.integer({ min: 99_000, max: 101_000 }),
  )
  .chain((n) => fc.constantFrom('x', 'é', '😀', '\u0000').map((c) => c.repeat(n / c.length)));

export const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: odd },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t') },
  { weight: 1, arbitrary: huge },
);

const phone = fc.oneof(
  fc.constantFrom('+447400123456', '+44 20 7946 0958', '07700 900123', '+15550100666', '+'),
  fc.constantFrom('+999999999999999999999', '+٤٤٧٧٠٠٩٠٠١٢٣', 'tel:+447400123456', '(0)'),
  fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/),
);
const email = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom('ada@example.com', 'a@b', '@', 'a@@b.c', 'ü@üñí.de', `${'a'.repeat(250)}@b.co`),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom('https://example.com/a.png', 'http://example.com/a.png', 'javascript:alert(1)'),
  fc.constantFrom('https://', 'ftp://example.com/a', 'file:///etc/passwd', 'https://exa mple.com'),
  fc.constantFrom('data:image/png;base64,AAAA', `https://example.com/${'a'.repeat(3000)}`),
);
const TYPENAMES = ['Contact', 'Status', 'Source', 'Group', 'Template', 'MessageBot', 'ApiToken'];

/** Strings by what the field name says it holds, with any text mixed in. */
function stringFor(name: string, ids: IdsFor): fc.Arbitrary<unknown> {
  const id = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...ids(name)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...TYPENAMES), fc.uuid()) },
    { weight: 1, arbitrary: fc.integer() },
  );
  const special: [RegExp, fc.Arbitrary<unknown>][] = [
    [/^id$|Ids?$/, id.map((v) => (Array.isArray(v) ? encodeId(v[0], v[1]) : v))],
    [/phone$/i, phone],
    [/email/i, email],
    [/url|link/i, url],
    [/color/i, fc.constantFrom('#fff', '#22c55e', '#12345g', 'red', '#ffff')],
    [/country/i, fc.constantFrom('GB', 'gb', 'XX', 'GBR', '')],
    [/language/i, fc.constantFrom('en_US', 'en', 'EN_us', 'xx_XX')],
  ];
  const match = special.find(([pattern]) => pattern.test(name));
  return match ? fc.oneof({ weight: 6, arbitrary: match[1] }, text) : text;
}

/** A value that is usually of the wrong type. */
export const wrong = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, 0, -1, 2 ** 31, 1.5, 1e308, true, '', [], {}, [null], { input: {} }),
);

/** Real global ids for an input field: those of the type its name (or the mutation's) names. */
export type IdsFor = (field: string) => readonly string[];

export function idsFor(ids: readonly string[], mutation: string): IdsFor {
  const typename = (id: string) => Buffer.from(id, 'base64url').toString().split(':')[0]!;
  return (field) => {
    const words = (field === 'id' ? mutation : field).toLowerCase();
    const typed = ids.filter((id) => words.includes(typename(id).toLowerCase()));
    return typed.length > 0 ? typed : ids;
  };
}

/** A value for an input type, by its type (and field name), with wrong types mixed in. */
export function valueFor(
  type: GraphQLInputType,
  name: string,
  ids: IdsFor,
  depth = 0,
): fc.Arbitrary<unknown> {
  const inner = (t: GraphQLInputType) => valueFor(t, name, ids, depth + 1);
  let typed: fc.Arbitrary<unknown>;
  if (depth > 6) typed = fc.constant(null);
  else if (isNonNullType(type)) typed = inner(type.ofType);
  else if (isListType(type)) typed = fc.array(inner(type.ofType), { maxLength: 4 });
  else if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    typed = fc.record(
      Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, f.name, ids, depth + 1)])),
      { requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name) },
    );
  } else if (isEnumType(type)) typed = fc.constantFrom(...type.getValues().map((v) => v.name));
  else if (type.name === 'Int') typed = fc.oneof(fc.integer({ min: -5, max: 200 }), fc.integer());
  else if (type.name === 'Float') typed = fc.double();
  else if (type.name === 'Boolean') typed = fc.boolean();
  else if (type.name === 'DateTime') {
    typed = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2999-01-01T00:00:00Z', '2026-13-45T99:99:99Z', 'tomorrow', '0'),
    );
  } else typed = stringFor(name, ids);
  const nullable = !isNonNullType(type);
  return fc.oneof(
    { weight: 20, arbitrary: typed },
    { weight: nullable ? 1 : 0, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrong },
  );
}

/** The least input of a type: its required fields only, each the simplest value. */
export function minimal(type: GraphQLInputType, name: string, ids: IdsFor): unknown {
  if (isNonNullType(type)) return minimal(type.ofType, name, ids);
  if (isListType(type)) return [];
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return Object.fromEntries(fields.map((f) => [f.name, minimal(f.type, f.name, ids)]));
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  const simplest: Record<string, unknown> = { Int: 0, Float: 0, Boolean: false };
  if (type.name in simplest) return simplest[type.name];
  if (type.name === 'DateTime') return '2999-01-01T00:00:00Z';
  return /^id$|Ids?$/.test(name) ? ids(name)[0] : 'x';
}

/** A GraphQL literal for a value; a string naming a value of an enum type is written bare. */
export function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const named = type && getNamedType(type);
  if (typeof value === 'string') {
    const isEnum = named && isEnumType(named) && named.getValue(value);
    return isEnum ? value : JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (Array.isArray(value)) {
    const item = type && isNonNullType(type) ? type.ofType : type;
    const of = item && isListType(item) ? item.ofType : item;
    return `[${value.map((v) => literal(v, of)).join(', ')}]`;
  }
  if (value && typeof value === 'object') {
    const fields = named && isInputObjectType(named) ? named.getFields() : {};
    const entries = Object.entries(value).filter(([k, v]) => /^\w+$/.test(k) && v !== undefined);
    return `{${entries.map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`).join(', ')}}`;
  }
  return String(value ?? null);
}

/** `mutation` calling `field` with `args`, as variables (typed as the schema says) or literals. */
export function mutationDocument(
  field: string,
  args: readonly GraphQLArgument[],
  values: Record<string, unknown>,
  asLiterals: boolean,
  selection: string,
): { query: string; variables?: Record<string, unknown> } {
  const given = args.filter((a) => values[a.name] !== undefined);
  if (asLiterals) {
    const list = given.map((a) => `${a.name}: ${literal(values[a.name], a.type)}`).join(', ');
    return { query: `mutation { ${field}${list && `(${list})`} ${selection} }` };
  }
  const defs = given.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const list = given.map((a) => `${a.name}: $${a.name}`).join(', ');
  return {
    query: `mutation Run${defs && `(${defs})`} { ${field}${list && `(${list})`} ${selection} }`,
    variables: Object.fromEntries(given.map((a) => [a.name, values[a.name]])),
  };
}

const API_CODES = new Set(Object.keys(ERROR_STATUS).filter((c) => c !== 'INTERNAL_SERVER_ERROR'));
/**
 * GraphQL-over-HTTP request errors, answered by yoga before anything runs (so with no `data`):
 * not in API.md's table, but the codes every yoga/Apollo client knows.
 */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

export interface Answer {
  status: number;
  /** An SSE stream (a subscription), cut off at once. */
  stream?: boolean;
  body?: { data?: Record<string, unknown> | null; errors?: Record<string, any>[] };
}

/** Throws unless the answer is a well-formed refusal or success (never a crash). */
export function checkAnswer(answer: Answer, sentBytes: number, maxBytes: number): void {
  const { status, body } = answer;
  const fail = (why: string) => {
    throw new Error(`${why}: HTTP ${status} ${JSON.stringify(body)?.slice(0, 600)}`);
  };
  if (status >= 500) fail('a 5xx');
  if (answer.stream) return status === 200 ? undefined : fail('a stream that is not a 200');
  if (
    sentBytes > maxBytes &&
    (status !== 400 || body?.errors?.[0]?.extensions?.code !== 'QUERY_TOO_COMPLEX')
  ) {
    fail(`a body of ${sentBytes} bytes is not refused as QUERY_TOO_COMPLEX`);
  }
  // Refusals by HTTP alone (405 for a mutation over GET, 406, 415): a 4xx with no GraphQL body.
  if (!body) return status >= 400 ? undefined : fail('not a GraphQL response');
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code;
    if (API_CODES.has(code)) {
      const expected = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
      if (expected !== 200 && status !== expected) fail(`${code} with the wrong status`);
      // An execution error names its input field; a variable's error, the variable.
      const variable = /^Variable "\$\w+" /.test(error.message);
      if (code === 'BAD_USER_INPUT' && ('data' in body || variable) && !error.extensions.field) {
        fail('BAD_USER_INPUT without extensions.field');
      }
    } else if ('data' in body) {
      fail(`an execution error with code ${code}`);
    } else if (code === undefined) {
      fail('an error without a code');
    } else if (!REQUEST_CODES.has(code)) fail(`an unknown code ${code}`);
  }
}

/** True when the answer wrote nothing it admits to: no root field has data. */
export function rejected(answer: Answer): boolean {
  const data = answer.body?.data;
  return !data || Object.values(data).every((v) => v === null);
}

/**
 * A checksum of every tenant table (those with a tenant_id, and tenants). rate_limit_buckets is
 * left out: every request, refused or not, is charged to its bucket by design.
 */
export async function snapshot(db: Kysely<Database>): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.columns
    where table_schema = 'public' and column_name = 'tenant_id'
      and table_name <> 'rate_limit_buckets'
    union select 'tenants' order by 1`.execute(db);
  const parts = tables.map(
    ({ name }) =>
      sql`select ${name} as name, count(*) || ':' ||
        md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as sum
        from ${sql.table(name)} x`,
  );
  const { rows } = await sql<{
    name: string;
    sum: string;
  }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.sum]));
}
