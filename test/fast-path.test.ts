import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { scrape, valueOf } from './helpers/metrics.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

// The fast path (src/fast-path.ts) must answer exactly as yoga does. Each case is sent to yoga
// itself (`app.yoga.fetch`, the whole pipeline), then over HTTP, where the document, accepted by
// yoga, takes the fast path; status, the headers that carry meaning and the body must be equal.

// A bucket that is always full again by the next request, so `extensions.cost` compares equal.
const roomy: Pick<Config, 'rateLimit'> = {
  rateLimit: { bucketSize: 1000, restoreRate: 1_000_000, sendsPerSecond: 80 },
};
// 1 (statuses) + 10 × (edges 1 + node 1 + name 0) = 21: two fit in 50, the third is refused.
const tight: Pick<Config, 'rateLimit'> = {
  rateLimit: { bucketSize: 50, restoreRate: 1, sendsPerSecond: 2 },
};

let t: TestApp;
let s: TestApp;
let tenant: TestTenant;
let token: string;
let statusesOnly: string;

beforeAll(async () => {
  [t, s] = await Promise.all([startTestApp(roomy), startTestApp(tight)]);
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['statuses.read', 'statuses.write', 'contacts.read']);
  statusesOnly = await t.createToken(tenant, ['statuses.read']);
});
afterAll(async () => {
  await Promise.all([t?.stop(), s?.stop()]);
});

const MEANINGFUL = [
  'content-type',
  'www-authenticate',
  'retry-after',
  'allow',
  'x-request-id',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
];

interface Call {
  subdomain?: string;
  secret?: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
}

function init(call: Call, requestId: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...(call.secret !== undefined && { authorization: `Bearer ${call.secret}` }),
      ...call.headers,
    },
    body: JSON.stringify({
      query: call.query,
      variables: call.variables,
      operationName: call.operationName,
    }),
  };
}

async function read(response: Response) {
  const headers = Object.fromEntries(
    MEANINGFUL.map((name) => [name, response.headers.get(name)]).filter(([, v]) => v !== null),
  );
  return { status: response.status, headers, body: await response.text() };
}

const fastCount = async (app: TestApp) =>
  valueOf(await scrape(app.url), 'gateway_fast_path_requests_total') ?? 0;

let id = 0;
/** The call through yoga, then over HTTP (fast): both answers, and whether the second was fast. */
async function both(app: TestApp, call: Call) {
  const path = `/api/v1/${call.subdomain ?? tenant.subdomain}/graphql`;
  const requestId = `eq-${++id}`;
  const viaYoga = await read(await app.app.yoga.fetch(`${app.url}${path}`, init(call, requestId)));
  const before = await fastCount(app);
  const viaHttp = await read(await fetch(`${app.url}${path}`, init(call, requestId)));
  const fast = (await fastCount(app)) - before === 1;
  return { viaYoga, viaHttp, fast };
}

const STATUSES = '{ statuses(first: 10) { edges { node { name } } } }';

const CASES: [string, Call][] = [
  ['a read with a valid token', { secret: 'token', query: STATUSES }],
  ['no token (401)', { query: STATUSES }],
  ['a malformed Authorization', { query: STATUSES, headers: { authorization: 'Basic x' } }],
  ['an unknown tenant (404)', { subdomain: 'no-such-tenant', secret: 'x', query: STATUSES }],
  ['a forbidden field', { secret: 'statusesOnly', query: '{ contacts(first: 2) { totalCount } }' }],
  [
    'variables that do not fit (400)',
    {
      secret: 'token',
      query: 'query Page($n: Int!) { statuses(first: $n) { totalCount } }',
      variables: { n: 'many' },
    },
  ],
  [
    'a required variable left out',
    { secret: 'token', query: 'query Page2($n: Int!) { statuses(first: $n) { totalCount } }' },
  ],
  [
    'a mutation refused for its input text',
    {
      secret: 'token',
      query:
        'mutation Create($name: String!) { createStatus(input: { name: $name, color: "#fff" }) { status { name } } }',
      variables: { name: 'a\u0000b' },
    },
  ],
  [
    'a mutation that fails validation of its input',
    {
      secret: 'token',
      query:
        'mutation Bad { createStatus(input: { name: "x", color: "not a colour" }) { status { name } } }',
    },
  ],
  [
    'two operations, one chosen',
    {
      secret: 'token',
      query: 'query A { statuses(first: 1) { totalCount } } query B { viewer { kind } }',
      operationName: 'B',
    },
  ],
  ['the admin key', { secret: 'admin', query: '{ viewer { kind abilities } }' }],
  ...['*/*', 'application/json', 'application/graphql-response+json'].map(
    (accept): [string, Call] => [
      `Accept: ${accept}`,
      { secret: 'token', query: '{ viewer { kind } }', headers: { accept } },
    ],
  ),
  [
    'Accept: application/json with no token',
    { query: '{ viewer { kind } }', headers: { accept: 'application/json' } },
  ],
  [
    'Accept: graphql-response+json, json',
    {
      secret: 'token',
      query: '{ viewer { kind } }',
      headers: { accept: 'application/graphql-response+json, application/json' },
    },
  ],
];

const secretOf = (name: string | undefined) =>
  name === 'token'
    ? token
    : name === 'statusesOnly'
      ? statusesOnly
      : name === 'admin'
        ? tenant.adminKey
        : name;

for (const [name, call] of CASES) {
  it(`answers as yoga does: ${name}`, async () => {
    const { viaYoga, viaHttp, fast } = await both(t, { ...call, secret: secretOf(call.secret) });
    expect(viaHttp).toEqual(viaYoga);
    expect(fast).toBe(true);
  });
}

it('leaves a request with an Origin (CORS) to yoga, with the same answer', async () => {
  const { viaYoga, viaHttp, fast } = await both(t, {
    secret: token,
    query: '{ viewer { kind } }',
    headers: { origin: 'https://example.com' },
  });
  expect(viaYoga.headers['access-control-allow-origin']).toBe('https://example.com');
  expect(viaHttp).toEqual(viaYoga);
  expect(fast).toBe(false);
});

it('refuses a rate-limited caller exactly as yoga does (429, Retry-After)', async () => {
  const other = await s.createTenant();
  const [a, b] = [
    await s.createToken(other, ['statuses.read']),
    await s.createToken(other, ['statuses.read']),
  ];
  const path = `${s.url}/api/v1/${other.subdomain}/graphql`;
  const call = (secret: string) => init({ secret, query: STATUSES }, 'rl');
  // Token a through yoga, token b over HTTP (fast, once yoga has seen the document): same states.
  const viaYoga = [];
  for (let i = 0; i < 3; i++) viaYoga.push(await read(await s.app.yoga.fetch(path, call(a))));
  const before = await fastCount(s);
  const viaHttp = [];
  for (let i = 0; i < 3; i++) viaHttp.push(await read(await fetch(path, call(b))));
  expect((await fastCount(s)) - before).toBe(3);
  expect(viaYoga[2]!.status).toBe(429);
  expect(viaYoga[2]!.headers['retry-after']).toBeDefined();
  expect(viaHttp).toEqual(viaYoga);
});

it('serves a document fast only once yoga has accepted it', async () => {
  const query = '{ statuses(first: 3) { totalCount } }';
  const path = `${t.url}/api/v1/${tenant.subdomain}/graphql`;
  const before = await fastCount(t);
  const first = await read(await fetch(path, init({ secret: token, query }, 'first')));
  expect(await fastCount(t)).toBe(before);
  const second = await read(await fetch(path, init({ secret: token, query }, 'first')));
  expect(await fastCount(t)).toBe(before + 1);
  expect(second).toEqual(first);

  // A document yoga refuses is never served fast: each answer is yoga's.
  const invalid = '{ statuses(first: 3) { nope } }';
  for (let i = 0; i < 2; i++) {
    const response = await fetch(path, init({ secret: token, query: invalid }, 'bad'));
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  }
  expect(await fastCount(t)).toBe(before + 1);

  // Batches, unexpected parameters and persisted queries stay yoga's too.
  for (const body of [
    [{ query }],
    { query, extra: 1 },
    { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } },
  ]) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    await response.text();
  }
  expect(await fastCount(t)).toBe(before + 1);
});

it("runs a REST route's operation fast once yoga has accepted it, with the same answer", async () => {
  const path = `${t.url}/api/v1/${tenant.subdomain}/statuses?per_page=2`;
  const get = async () => {
    const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  };
  const before = await fastCount(t);
  const first = await get();
  expect(first.status).toBe(200);
  expect(await fastCount(t)).toBe(before);
  const second = await get();
  expect(await fastCount(t)).toBe(before + 1);
  expect(second).toEqual(first);

  // A refusal through the fast path is the REST refusal: 403 naming the ability.
  const denied = async () =>
    fetch(`${t.url}/api/v1/${tenant.subdomain}/contacts?per_page=2`, {
      headers: { authorization: `Bearer ${statusesOnly}` },
    });
  for (let i = 0; i < 2; i++) {
    const response = await denied();
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
  }
});
