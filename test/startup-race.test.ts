import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, expect, inject, it } from 'vitest';
import { withDatabase } from './helpers/net.js';
import { cleanEnv, startProcess, type Started } from './helpers/process.js';

/**
 * Several instances of `src/main.ts` started at once on one database, as a deployment of several
 * replicas does on its first start: every one must come up, and the demo tenant's secrets must
 * be printed by exactly one of them.
 */
const INSTANCES = 4;
const adminUrl = inject('adminUrl');
let servers: Started[] = [];
const databases: string[] = [];

afterEach(async () => {
  await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  servers = [];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (const name of databases.splice(0)) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  await admin.end();
});

/** A new database: empty, or a copy of the migrated template. */
async function newDatabase(template?: string): Promise<string> {
  const name = `gw_race_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  databases.push(name);
  return withDatabase(adminUrl, name);
}

function startInstances(databaseUrl: string): Started[] {
  const env = cleanEnv({ DATABASE_URL: databaseUrl, PORT: '0' });
  servers = Array.from({ length: INSTANCES }, () => startProcess('src/main.ts', [], env));
  return servers;
}

/** Every instance is ready and answers the one demo token printed; the others say it exists. */
async function expectOneDemoTenant(instances: Started[]): Promise<void> {
  const endpoints = await Promise.all(
    instances.map(async (server) => (await server.waitFor(/GraphiQL:\s+(\S+)/, 60_000))[1]!),
  );
  for (const endpoint of endpoints) {
    const ready = await fetch(new URL('/ready', endpoint));
    expect(ready.status).toBe(200);
  }
  const printed = instances.filter((server) => /API token:\s+wmk_/.test(server.output()));
  expect(printed).toHaveLength(1);
  for (const server of instances) {
    if (server !== printed[0]) expect(server.output()).toMatch(/Tenant "demo" exists/);
  }
  const [, token] = /API token:\s+(wmk_\S+)/.exec(printed[0]!.output())!;
  for (const endpoint of endpoints) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { tenant { subdomain } } }' }),
    });
    expect((await response.json()).data).toEqual({ viewer: { tenant: { subdomain: 'demo' } } });
  }
}

it('four instances started at once on an empty database migrate it, all become ready, and one prints the demo secrets', async () => {
  await expectOneDemoTenant(startInstances(await newDatabase()));
}, 120_000);

it('four instances creating the demo tenant at the same moment: one creates it, none crashes', async () => {
  const databaseUrl = await newDatabase(inject('templateDatabase'));
  // Holds the tenants table until every instance waits on it, so that all four look for the demo
  // tenant at once instead of whenever each happens to finish loading.
  const holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE');
    const instances = startInstances(databaseUrl);
    for (;;) {
      const { rows } = await holder.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks
          WHERE relation = 'tenants'::regclass AND NOT granted`,
      );
      if (rows[0]!.waiting >= INSTANCES) break;
      const exited = instances.find((server) => server.child.exitCode !== null);
      if (exited) throw new Error(`An instance exited early:\n${exited.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await holder.query('COMMIT');
    await expectOneDemoTenant(instances);
  } finally {
    await holder.end();
  }
}, 120_000);
