import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from './helpers/net.js';
import { cleanEnv, startProcess } from './helpers/process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gw-embedded-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function post(url: string, token: string, query: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  // Every response also carries `extensions.cost` (rate limiting); it is left out here.
  const { extensions: _cost, ...body } = await response.json();
  return body as { data?: any; errors?: unknown[] };
}

it('with DATABASE_URL unset, runs on an embedded PostgreSQL whose data survives a restart', async () => {
  const env = cleanEnv({
    DATA_DIR: path.join(dir, '.data'),
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: '0',
  });

  const first = startProcess('src/main.ts', [], env);
  try {
    const [, endpoint] = await first.waitFor(/GraphiQL:\s+(\S+)/, 60_000);
    const [, token] = await first.waitFor(/API token:\s+(wmk_\S+)/);
    expect(first.output()).toMatch(/embedded PostgreSQL/);
    const created = await post(
      endpoint!,
      token!,
      'mutation { createStatus(input: { name: "Survivor", color: "#0a0" }) { status { name } } }',
    );
    expect(created).toEqual({ data: { createStatus: { status: { name: 'Survivor' } } } });
  } finally {
    expect(await first.stop()).toBe(0);
  }

  const second = startProcess('src/main.ts', [], env);
  try {
    const [, endpoint] = await second.waitFor(/GraphiQL:\s+(\S+)/, 60_000);
    expect(second.output()).toMatch(/Tenant "demo" exists/);
    const token = /API token:\s+(wmk_\S+)/.exec(first.output())![1]!;
    const listed = await post(endpoint!, token, '{ statuses { edges { node { name } } } }');
    expect(listed).toEqual({ data: { statuses: { edges: [{ node: { name: 'Survivor' } }] } } });
  } finally {
    expect(await second.stop()).toBe(0);
  }
}, 120_000);
