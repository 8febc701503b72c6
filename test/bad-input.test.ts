import fc from 'fast-check';
import { getNamedType, isLeafType, isNonNullType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { schema } from '../src/schema.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import {
  type Answer,
  checkAnswer,
  huge,
  idsFor,
  minimal,
  mutationDocument,
  rejected,
  snapshot,
  text,
  valueFor,
  wrong,
} from './helpers/bad-input.js';

/**
 * Bad input, property-based (fast-check), at the real HTTP endpoint: malformed bodies, invalid
 * documents, limits, and generated input for every mutation of the schema. Properties:
 * - never a 5xx, never INTERNAL_SERVER_ERROR, and /health still answers 200 after each request;
 * - every error carries a code of API.md's table (BAD_USER_INPUT with `extensions.field`), or is a
 *   GraphQL-over-HTTP request error of yoga (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 *   BAD_REQUEST, OPERATION_RESOLUTION_FAILURE), answered with no `data`;
 * - a refused write changes no tenant table (checksums before and after).
 *
 * Fixed seed (BAD_INPUT_SEED overrides it); fast-check prints seed and path on failure.
 */
const SEED = Number(process.env.BAD_INPUT_SEED ?? 20261125);
const RUNS_PER_MUTATION = 30;
const RUNS = 200;

let t: TestApp;
let endpoint = '';
let adminKey = '';
/** Global ids of real rows (this tenant's and another's), for inputs that name one. */
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestApp({
    // Not throttled; no dispatcher, so nothing writes between two snapshots.
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 1_000_000 },
    dispatcher: { ...loadConfig({}).dispatcher, inProcess: false },
  });
  const other = await t.createTenant();
  for (const tenant of [other, await t.createTenant()]) {
    adminKey = tenant.adminKey;
    endpoint = `${t.url}/api/v1/${tenant.subdomain}/graphql`;
    ids.push(...(await seed()));
  }
}, 60_000);
afterAll(() => t?.stop());

async function run(query: string, variables?: unknown): Promise<any> {
  const response = await send(JSON.stringify({ query, variables }));
  expect(response.body?.errors, query).toBeUndefined();
  return response.body!.data;
}

/** A status, source, group, contact, message, token, templates, a message and a template bot. */
async function seed(): Promise<string[]> {
  const made = await run(`mutation {
    s: createStatus(input: { name: "New", color: "#fff" }) { status { id } }
    o: createSource(input: { name: "Web" }) { source { id } }
    g: createGroup(input: { name: "VIP" }) { group { id } }
    k: createApiToken(input: { name: "k", abilities: ["*"] }) { apiToken { id } }
    b: createMessageBot(input: { name: "b", triggerType: EXACT_MATCH, keywords: ["hi"],
      replyType: TEXT, text: "Hello" }) { messageBot { id } }
    syncTemplates { __typename } }`);
  const { s, o, g, k, b } = made;
  const more = await run(
    `mutation($s: ID, $g: ID!) {
      c: createContact(input: { firstName: "Ada", phone: "+447400123456", statusId: $s,
        groupIds: [$g] }) { contact { id } }
      m: sendTextMessage(input: { to: { phone: "+447400123456" }, body: "hi" }) { message { id } } }`,
    { s: s.status.id, g: g.group.id },
  );
  const list = await run(`{ templates(first: 20) { edges { node { id name } } } }`);
  const templates: { id: string; name: string }[] = list.templates.edges.map((e: any) => e.node);
  const bot = await run(
    `mutation($t: ID!) { createTemplateBot(input: { name: "t", triggerType: FIRST_MESSAGE,
      templateId: $t, bodyParameters: [{ contactField: FIRST_NAME }, { value: "#1" },
      { value: "$1" }], buttonParameters: [{ value: "1042" }] }) { templateBot { id } } }`,
    { t: templates.find((t) => t.name === 'order_confirmation')!.id },
  );
  const created = [s.status, o.source, g.group, k.apiToken, b.messageBot, more.c.contact];
  return [...created, more.m.message, bot.createTemplateBot.templateBot, ...templates].map(
    (node) => node.id,
  );
}

interface Request {
  method?: 'GET' | 'POST';
  contentType?: string | undefined;
  accept?: string;
  query?: Record<string, string>;
}

async function send(body: string, request: Request = {}): Promise<Answer & { bytes: number }> {
  const { method = 'POST', contentType = 'application/json', accept, query } = request;
  const headers: Record<string, string> = { authorization: `Bearer ${adminKey}` };
  if (contentType !== undefined && method === 'POST') headers['content-type'] = contentType;
  if (accept) headers.accept = accept;
  const url = query ? `${endpoint}?${new URLSearchParams(query)}` : endpoint;
  const response = await fetch(url, { method, headers, ...(method === 'POST' && { body }) });
  // A subscription over POST with `Accept: */*` is an SSE stream that does not end.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, stream: true, bytes: Buffer.byteLength(body) };
  }
  const raw = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, bytes: Buffer.byteLength(body) };
}

/** Sends, checks the answer, the health check, and that a refusal wrote nothing. */
async function expectSafe(body: string, request: Request = {}): Promise<void> {
  const before = await snapshot(t.database.db);
  const answer = await send(body, request);
  checkAnswer(answer, request.method === 'GET' ? 0 : answer.bytes, t.config.limits.maxBodyBytes);
  expect((await fetch(`${t.url}/health`)).status).toBe(200);
  if (rejected(answer)) expect(await snapshot(t.database.db)).toEqual(before);
}

const accept = fc.constantFrom(
  undefined,
  'application/json',
  'application/graphql-response+json',
  '*/*',
);
const options = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });
const mutations = Object.values(schema.getMutationType()!.getFields());

describe('every mutation of the schema, with generated input', () => {
  it('finds the mutations', () => expect(mutations.length).toBeGreaterThan(20));

  for (const field of mutations) {
    const named = getNamedType(field.type);
    const selection = isLeafType(named) ? '' : '{ __typename }';
    it(field.name, { timeout: 120_000 }, async () => {
      const idsOf = idsFor(ids, field.name);
      const args = Object.fromEntries(
        field.args.map((a) => [a.name, valueFor(a.type, a.name, idsOf)]),
      );
      const arbitrary = fc.record({
        values: fc.record(args, { requiredKeys: [] }),
        asLiterals: fc.boolean(),
        accept,
      });
      // First of all, the required arguments alone, each the simplest value of its type.
      const required = field.args.filter((a) => isNonNullType(a.type));
      const least = Object.fromEntries(
        required.map((a) => [a.name, minimal(a.type, a.name, idsOf)]),
      );
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ values, asLiterals, accept }) => {
          const document = mutationDocument(field.name, field.args, values, asLiterals, selection);
          await expectSafe(JSON.stringify(document), { accept });
        }),
        {
          ...options(RUNS_PER_MUTATION),
          examples: [[{ values: least, asLiterals: false, accept: undefined }]],
        },
      );
    });
  }
});

const mutation = fc.constantFrom(...mutations);
/** A valid-looking call of some mutation, written into a broken or oversized document. */
const documents = fc.oneof(
  // Deep nesting: of selections, and of list literals in an argument.
  fc
    .integer({ min: 1, max: 4000 })
    .map((n) => `mutation { ${'a { '.repeat(n)}b${' }'.repeat(n)} }`),
  fc
    .tuple(mutation, fc.integer({ min: 1, max: 3000 }))
    .map(
      ([m, n]) => `mutation { ${m.name}(input: ${'['.repeat(n)}1${']'.repeat(n)}) { __typename } }`,
    ),
  // Aliases (thousands), directives, fragments that spread each other.
  fc
    .tuple(mutation, fc.integer({ min: 2, max: 3000 }))
    .map(([m, n]) =>
      Array.from({ length: n }, (_, i) => `a${i}: ${m.name}(input: {}) { __typename }`).join(' '),
    )
    .map((fields) => `mutation { ${fields} }`),
  fc
    .integer({ min: 1, max: 200 })
    .map((n) => `mutation { syncTemplates ${'@skip(if: false) '.repeat(n)}{ __typename } }`),
  fc.constant('mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }'),
  // Any text, and a valid call with characters cut out or put in.
  text,
  fc
    .tuple(mutation, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5 }), text)
    .map(([m, at, cut, put]) => {
      const valid = `mutation { ${m.name}(input: { id: "x" }) { __typename } }`;
      return valid.slice(0, at) + put + valid.slice(at + cut);
    }),
  // A subscription over POST (an SSE stream for `Accept: */*`, else 406).
  fc.constant('subscription { messageStatusChanged { status } }'),
);

it(
  'invalid documents, deep nesting and too many aliases are refused',
  { timeout: 120_000 },
  async () => {
    const arbitrary = fc.record({
      query: documents,
      operationName: fc.option(fc.constantFrom('Run', 'A', ''), { nil: undefined }),
      variables: fc.option(fc.dictionary(fc.constantFrom('input', 'x'), wrong), { nil: undefined }),
      accept,
    });
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ accept, ...params }) => {
        await expectSafe(JSON.stringify(params), { accept });
      }),
      options(RUNS),
    );
  },
);

const bodies = fc.oneof(
  text,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  // Request parameters of the wrong types.
  fc
    .record({
      query: fc.oneof(text, wrong),
      variables: wrong,
      operationName: wrong,
      extensions: wrong,
    })
    .map((p) => JSON.stringify(p)),
  // A valid request cut short, or padded to around the body limit.
  fc
    .integer({ min: 0, max: 60 })
    .map((n) => '{"query":"mutation { syncTemplates { __typename } }"}'.slice(0, n)),
  huge.map((pad) => JSON.stringify({ query: '{ viewer { kind } }', extensions: { pad } })),
  // JSON nested as deep as the body limit allows, and beyond, in a variable the operation uses.
  fc.integer({ min: 1000, max: 60_000 }).map((n) => {
    const query =
      'mutation($x: [ID!]!) { addContactsToGroup(input: { groupId: "x", contactIds: $x }) { __typename } }';
    return `{"query":${JSON.stringify(query)},"variables":{"x":${'['.repeat(n)}"\\u0000"${']'.repeat(n)}}}`;
  }),
);

it(
  'malformed bodies, parameters and content types never crash it',
  { timeout: 120_000 },
  async () => {
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/graphql-response+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/graphql',
      undefined,
    );
    const request = fc.record({
      body: bodies,
      contentType,
      accept,
      method: fc.constantFrom<'GET' | 'POST'>('POST', 'POST', 'GET'),
      query: fc.option(
        fc.dictionary(
          fc.constantFrom('query', 'variables', 'operationName'),
          fc.string({ maxLength: 200 }),
        ),
        { nil: undefined },
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ body, ...rest }) => {
        await expectSafe(body, rest);
      }),
      options(RUNS),
    );
  },
);
