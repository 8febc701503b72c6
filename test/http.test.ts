import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { MIGRATIONS } from '../src/db/migrate.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['statuses.read']);
});
afterAll(() => t.stop());

describe('HTTP surface', () => {
  it('serves GraphiQL to a browser at the endpoint, with its assets inline (no CDN)', async () => {
    const res = await fetch(`${t.url}/api/v1/${tenant.subdomain}/graphql`, {
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain(`GraphiQL · ${tenant.subdomain}`);
    expect(html).toContain('Bearer PASTE_YOUR_TOKEN_HERE');
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.url}/ready`)).status).toBe(200);
  });

  it('answers GET queries too', async () => {
    const res = await fetch(
      `${t.url}/api/v1/${tenant.subdomain}/graphql?query=${encodeURIComponent('{ viewer { kind } }')}`,
      {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      },
    );
    expect(await res.json()).toEqual({
      data: { viewer: { kind: 'API_TOKEN' } },
      extensions: { cost: expect.objectContaining({ requestedQueryCost: 1 }) },
    });
  });

  it('answers 404 off the API paths', async () => {
    expect((await fetch(`${t.url}/api/v1/${tenant.subdomain}/nothing`)).status).toBe(404);
  });

  it('lists every migration file in the migrator', () => {
    const files = readdirSync(new URL('../db/migrations', import.meta.url)).map((f) =>
      f.replace(/\.ts$/, ''),
    );
    expect(Object.keys(MIGRATIONS).sort()).toEqual(files.sort());
  });
});

describe('graphql-ws', () => {
  const wsUrl = () => `${t.url.replace(/^http/, 'ws')}/api/v1/${tenant.subdomain}/graphql`;

  it('runs an operation over a real socket, authenticated by connectionParams', async () => {
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const result = await new Promise((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: '{ viewer { kind } statuses { totalCount } }' },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
      expect(result).toEqual({
        data: { viewer: { kind: 'API_TOKEN' }, statuses: { totalCount: 0 } },
        extensions: { cost: expect.objectContaining({ requestedQueryCost: 2 }) },
      });
    } finally {
      await client.dispose();
    }
  });

  it('closes the connection with 4401 for a bad token', async () => {
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: 'Bearer wmk_nope' },
        retryAttempts: 0,
        lazy: false,
        on: { closed: (event) => resolve(event as { code: number; reason: string }) },
        onNonLazyError: () => {},
      });
      void client;
    });
    const event = await closed;
    expect(event.code).toBe(4401);
    expect(event.reason).toMatch(/Invalid API token/);
  });
});
