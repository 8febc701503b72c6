import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApp, type App } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

// The server under test logs at debug, to a stream this file reads; it shares `t`'s database.
const lines: string[] = [];
let t: TestApp;
let app: App;
let url: string;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  app = createApp({ config: t.config, db: t.database.db, logger });
  url = await app.start();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['statuses.read', 'messages.send_text']);
});
afterAll(async () => {
  await app.stop();
  await t.stop();
});

/** A POST whose answer is read to the end (an unread body would keep the request in flight). */
async function post(secret: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/v1/${tenant.subdomain}/graphql?debug=${secret}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${secret}`,
      ...headers,
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

const requestLines = () =>
  lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');

it('logs one JSON line per request with its id, tenant, operation, status and duration', async () => {
  const response = await post(token, 'query Statuses { statuses { totalCount } }', {
    'x-request-id': 'req-from-client-1',
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('x-request-id')).toBe('req-from-client-1');

  const generated = await post(token, 'mutation { nope }');
  const id = generated.headers.get('x-request-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);

  const entries = requestLines();
  expect(entries.find((e) => e.reqId === 'req-from-client-1')).toMatchObject({
    level: 30,
    method: 'POST',
    path: `/api/v1/${tenant.subdomain}/graphql`,
    tenant: tenant.subdomain,
    operation: 'Statuses',
    operationType: 'query',
    status: 200,
    durationMs: expect.any(Number),
  });
  expect(entries.filter((e) => e.reqId === id)).toEqual([
    expect.objectContaining({ operation: null, operationType: 'mutation', status: 200 }),
  ]);
  expect(entries.filter((e) => e.reqId === 'req-from-client-1')).toHaveLength(1);
});

it('replaces a request id that is not a plain token of at most 128 characters', async () => {
  const response = await post(token, '{ statuses { totalCount } }', { 'x-request-id': 'a b\tc' });
  expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('never writes a token, an admin key or connection params, whatever the outcome', async () => {
  await post(token, '{ viewer { kind } statuses { totalCount } }');
  await post(tenant.adminKey, '{ apiTokens { totalCount } }');
  const stranger = await t.createTenant();
  // A token of another tenant: refused with 401.
  expect((await post(await t.createToken(stranger, ['*']), '{ viewer { kind } }')).status).toBe(
    401,
  );
  const strangerKey = stranger.adminKey;
  await post(strangerKey, '{ viewer { kind } }');
  const graphiql = await fetch(`${url}/api/v1/${tenant.subdomain}/graphql`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/html' },
  });
  expect(await graphiql.text()).toMatch(/GraphiQL/);

  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/api/v1/${tenant.subdomain}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}`, extra: token },
    retryAttempts: 0,
  });
  try {
    const result = await new Promise((resolve, reject) => {
      client.subscribe(
        { query: '{ viewer { kind } }' },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(result).toMatchObject({ data: { viewer: { kind: 'API_TOKEN' } } });
  } finally {
    await client.dispose();
  }

  const output = lines.join('');
  expect(requestLines().length).toBeGreaterThanOrEqual(5);
  for (const secret of [token, tenant.adminKey, strangerKey]) {
    expect(output).not.toContain(secret);
    // Nor the part after the prefix, in case something cut it.
    expect(output).not.toContain(secret.slice(4));
  }
  expect(output).not.toMatch(/authorization/i);
  expect(output).not.toContain('debug=');
});
