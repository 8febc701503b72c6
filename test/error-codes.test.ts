import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeId } from '../src/ids.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * Every error that leaves the server has `extensions.code` (README "Errors"): those raised by
 * graphql-js, yoga and Pothos without one included (src/error-codes.ts), over HTTP and graphql-ws.
 */
let t: TestApp;
let tenant: TestTenant;
let endpoint = '';

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  endpoint = `${t.url}/api/v1/${tenant.subdomain}/graphql`;
});
afterAll(() => t?.stop());

const UUID = '00000000-0000-4000-8000-000000000000';
const FIRST = 'query($n: Int) { statuses(first: $n) { totalCount } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
const ORDER = 'query($o: ContactOrder) { contacts(orderBy: $o) { totalCount } }';
const TOKEN =
  'mutation($e: DateTime) { createApiToken(input: { name: "x", abilities: ["*"], expiresAt: $e }) { token } }';

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(init: RequestInit & { search?: string }): Promise<Answer> {
  const { search = '', ...request } = init;
  const response = await fetch(endpoint + search, request);
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  // Every executed request reports its cost (src/limits/plugin.ts); not what these tests check.
  const { extensions, ...rest } = body as Answer['body'] & { extensions?: { cost?: unknown } };
  return { status: response.status, body: extensions?.cost ? rest : body };
}

const auth = () => ({ authorization: `Bearer ${tenant.adminKey}` });
const post = (query: string, variables?: unknown, headers: Record<string, string> = {}) =>
  send({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(), ...headers },
    body: JSON.stringify({ query, variables }),
  });
const multipart = (body: string, headers: Record<string, string> = auth()) =>
  send({
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=b', ...headers },
    body,
  });
const part = (name: string, value: string) =>
  `--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

/** The `extensions` of each error. */
const extensions = (answer: Answer) => (answer.body.errors ?? []).map((e) => e.extensions);

describe('variable values that do not fit their type', () => {
  const cases: [string, string, unknown, string][] = [
    ['an Int out of 32 bits', FIRST, { n: 1e12 }, 'n'],
    ['a string for an Int', FIRST, { n: 'x' }, 'n'],
    ['a float for an Int', FIRST, { n: 1.5 }, 'n'],
    ['nested lists for [ID!]', NODES, { ids: [['a']] }, 'ids'],
    ['null in [ID!]', NODES, { ids: [null] }, 'ids'],
    ['a required variable left out', NODES, {}, 'ids'],
    ['an unknown enum value', ORDER, { o: { field: 'NOPE', direction: 'ASC' } }, 'o'],
    ['a DateTime of a scalar that refuses it', TOKEN, { e: '+024292-11-10T18:29:35Z' }, 'e'],
    ['an unknown input field', ORDER, { o: { field: 'FIRST_NAME', direction: 'ASC', x: 1 } }, 'o'],
  ];
  for (const [what, query, variables, variable] of cases) {
    it(`${what}: 400, BAD_USER_INPUT naming the variable`, async () => {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const answer = await post(query, variables, { accept });
        expect(answer.status).toBe(400);
        expect(answer.body.data).toBeUndefined();
        expect(extensions(answer)).toEqual([{ code: 'BAD_USER_INPUT', field: variable }]);
      }
    });
  }
});

describe('node and nodes with an id of a type that has no node', () => {
  const contact = encodeId('Contact', UUID);
  for (const typename of ['Tenant', 'Viewer', 'Foo']) {
    it(`${typename}: null with no error, as a missing id`, async () => {
      const id = encodeId(typename, UUID);
      const one = await post('query($id: ID!) { node(id: $id) { id } }', { id });
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ data: { node: null } });
      const many = await post(NODES, { ids: [contact, id] });
      expect(many.body).toEqual({ data: { nodes: [null, null] } });
    });
  }

  it('still answers a malformed id with BAD_USER_INPUT', async () => {
    const answer = await post('{ node(id: "xyz") { id } }');
    expect(extensions(answer)).toEqual([{ code: 'BAD_USER_INPUT', field: 'id' }]);
  });
});

describe('requests the server cannot read', () => {
  const query = JSON.stringify({ query: '{ viewer { kind } }' });
  const cases: [string, string][] = [
    ['no operations field', part('map', '{}') + '--b--\r\n'],
    ['operations that are not JSON', part('operations', '{"query":') + '--b--\r\n'],
    ['a map that is not JSON', part('operations', query) + part('map', '{') + '--b--\r\n'],
    [
      'a map whose entry is no list',
      part('operations', query) + part('map', '{"0":1}') + '--b--\r\n',
    ],
    ['a body cut short', part('operations', query)],
    ['no multipart at all', 'garbage'],
  ];
  for (const [what, body] of cases) {
    it(`multipart with ${what}: 400 BAD_REQUEST`, async () => {
      const answer = await multipart(body);
      expect(answer.status).toBe(400);
      expect(extensions(answer)).toEqual([expect.objectContaining({ code: 'BAD_REQUEST' })]);
    });
  }

  it('a simple request without a CSRF header: 403 BAD_REQUEST naming the headers', async () => {
    const get = await send({ search: `?query=${encodeURIComponent('{ viewer { kind } }')}` });
    const form = await multipart(part('operations', query) + '--b--\r\n', {});
    for (const answer of [get, form]) {
      expect(answer.status).toBe(403);
      expect(extensions(answer)).toEqual([{ code: 'BAD_REQUEST' }]);
      expect(answer.body.errors![0]!.message).toMatch(/Authorization/);
    }
  });
});

it('gives every error of a sweep of hostile requests a code, and no 5xx', async () => {
  const json = (body: string, headers: Record<string, string> = {}) =>
    send({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(), ...headers },
      body,
    });
  const get = (params: Record<string, string>, headers: Record<string, string> = auth()) =>
    send({ search: `?${new URLSearchParams(params)}`, headers });
  const answers: [string, Answer][] = [
    ['int overflow', await post(FIRST, { n: 2 ** 31 })],
    ['object for String', await post('query($s: String) { viewer(x: $s) { kind } }', { s: {} })],
    ['null for non-null', await post(NODES, { ids: null })],
    ['deep list', await post(NODES, { ids: [[[[['a']]]]] })],
    ['variables not an object', await json(JSON.stringify({ query: FIRST, variables: [1] }))],
    ['unknown field', await post('{ nope }')],
    ['syntax', await post('{ viewer { ')],
    [
      'unknown operation',
      await json(JSON.stringify({ query: '{ viewer { kind } }', operationName: 'X' })),
    ],
    [
      'two operations, no name',
      await post('query A { viewer { kind } } query B { viewer { kind } }'),
    ],
    ['batch', await json(JSON.stringify([{ query: '{ viewer { kind } }' }]))],
    ['bad json', await json('{"query":')],
    ['json not an object', await json('1')],
    ['no query', await json('{}')],
    ['nodes malformed', await post('{ nodes(ids: ["xyz"]) { id } }')],
    ['get bad variables', await get({ query: FIRST, variables: '{' })],
    ['get mutation', await get({ query: 'mutation { syncTemplates { __typename } }' })],
    ['get variables wrong type', await get({ query: FIRST, variables: '{"n":"x"}' })],
    ['get csrf', await get({ query: '{ viewer { kind } }' }, {})],
    ['multipart', await multipart(part('operations', '[') + '--b--\r\n')],
    ['no token', await post('{ viewer { kind } }', undefined, { authorization: '' })],
  ];
  for (const [what, answer] of answers) {
    expect(answer.status, what).toBeLessThan(500);
    expect(answer.body.errors?.length, what).toBeGreaterThan(0);
    for (const error of answer.body.errors ?? []) {
      expect(error.extensions?.code, `${what}: ${error.message}`).toEqual(expect.any(String));
      expect(error.extensions?.code, what).not.toBe('INTERNAL_SERVER_ERROR');
    }
  }
});

describe('over graphql-ws', () => {
  async function run(query: string, variables?: Record<string, unknown>): Promise<unknown> {
    const client = createClient({
      url: `${endpoint.replace(/^http/, 'ws')}`,
      webSocketImpl: WebSocket,
      connectionParams: auth(),
      retryAttempts: 0,
    });
    try {
      return await new Promise((resolve) => {
        let value: unknown;
        client.subscribe(
          { query, variables },
          { next: (v) => (value = v), error: resolve, complete: () => resolve(value) },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it('a variable that does not fit: BAD_USER_INPUT naming it', async () => {
    const result = (await run(FIRST, { n: 'x' })) as Answer['body'];
    expect(extensions({ status: 0, body: result })).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'n' }),
    ]);
  });

  it('a document that does not parse: GRAPHQL_PARSE_FAILED', async () => {
    const errors = (await run('{ viewer { ')) as { extensions?: Record<string, unknown> }[];
    expect(errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });
});
