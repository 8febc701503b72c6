import { connect } from 'node:net';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { scrape, valueOf } from './helpers/metrics.js';
import { cleanEnv, startProcess, type Started } from './helpers/process.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { until } from './helpers/until.js';

let t: TestApp;
let server: Started | undefined;

beforeAll(async () => {
  t = await startTestApp(); // for its database: the server under test is its own process
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await t.stop();
});

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

it('on SIGTERM: closes graphql-ws with 1001 and SSE streams, finishes requests in flight, refuses new connections, exits 0', async () => {
  server = startProcess(
    'src/main.ts',
    [],
    cleanEnv({ DATABASE_URL: t.config.databaseUrl!, PORT: '0', LOG_LEVEL: 'info' }),
  );
  const [, endpoint] = await server.waitFor(/GraphiQL:\s+(\S+)/);
  const [, token] = await server.waitFor(/API token:\s+(wmk_\S+)/);
  const base = new URL(endpoint!).origin;
  const port = Number(new URL(endpoint!).port);
  const post = (query: string, headers: Record<string, string> = {}) =>
    fetch(endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ query }),
    });

  const created = await post(
    'mutation { createContact(input: { firstName: "Ada", phone: "+442079460001" }) { contact { id } } }',
  );
  const contactId = (await created.json()).data.createContact.contact.id as string;

  // A graphql-ws subscription and an SSE one.
  const wsClosed = new Promise<number>((resolve) => {
    const client = createClient({
      url: endpoint!.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      on: { closed: (event) => resolve((event as { code: number }).code) },
    });
    client.subscribe(
      { query: 'subscription { messageStatusChanged { status } }' },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
  });
  const sse = await fetch(
    `${endpoint}?query=${encodeURIComponent('subscription { messageStatusChanged { status } }')}`,
    { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
  );
  expect(sse.status).toBe(200);
  const sseText = sse.text().catch((error: Error) => `failed: ${error.message}`);
  await until(async () => valueOf(await scrape(base), 'gateway_subscriptions_open') === 2);

  // A request held in flight by a row lock this test takes on the contact.
  const blocker = new pg.Client({ connectionString: t.config.databaseUrl });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM contacts WHERE phone = '+442079460001' FOR UPDATE`);
    let settled = false;
    const inFlight = post(
      `mutation { updateContact(input: { id: "${contactId}", company: "Analytical Engines" }) { contact { company } } }`,
    ).then(async (response) => {
      settled = true;
      return { status: response.status, headers: response.headers, body: await response.json() };
    });
    await until(async () => {
      // Asked outside the blocker's transaction, whose view of pg_stat_activity is a snapshot.
      const { rows } = await t.database.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query ILIKE 'update "contacts"%'`,
      );
      return rows[0].n > 0;
    });

    server.child.kill('SIGTERM');
    expect(await wsClosed).toBe(1001);
    expect(await sseText).toMatch(/event: complete/);
    expect(await connectionRefused(port)).toBe(true);
    expect(settled).toBe(false);

    await blocker.query('COMMIT');
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.headers.get('connection')).toBe('close');
    expect(answered.body).toMatchObject({
      data: { updateContact: { contact: { company: 'Analytical Engines' } } },
    });
  } finally {
    await blocker.query('ROLLBACK').catch(() => {});
    await blocker.end();
  }
  expect(await server.stop()).toBe(0);
  expect(server.output()).toMatch(/"msg":"stopped"/);
}, 60_000);
