import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, cleanEnv } from './helpers/process.js';
import { startTestApp, uniqueName, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestApp();
  const url = new URL(t.config.databaseUrl!);
  env = cleanEnv({ DATABASE_URL: url.toString() });
});
afterAll(() => t.stop());

async function cli(...args: string[]) {
  const { code, output } = await runProcess('src/cli/main.ts', ['--json', ...args], env);
  const lines = output.trim().split('\n');
  return { code, json: JSON.parse(lines.at(-1)!) };
}

const query = (subdomain: string, secret: string) =>
  t.gql(subdomain, secret, '{ viewer { kind tokenName } statuses { totalCount } }');

describe('the command line', () => {
  it('creates a tenant, switches API access, issues, lists and revokes tokens, rotates the admin key', async () => {
    const subdomain = uniqueName('cli');
    const created = await cli('tenant', 'create', subdomain, '--name', 'CLI Co');
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ tenant: subdomain, name: 'CLI Co', apiEnabled: false });
    expect(created.json.adminKey).toMatch(/^wma_/);
    expect((await query(subdomain, created.json.adminKey)).body.data?.viewer.kind).toBe('ADMIN');

    const token = await cli(
      'token',
      'create',
      subdomain,
      '--name',
      'ci',
      '--abilities',
      'statuses.read',
      '--expires-in',
      '30d',
    );
    expect(token.code).toBe(0);
    expect(token.json.token).toMatch(/^wmk_/);
    expect(Date.parse(token.json.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await query(subdomain, token.json.token)).status).toBe(403);

    expect((await cli('api', 'enable', subdomain)).json).toEqual({
      tenant: subdomain,
      apiEnabled: true,
    });
    expect((await query(subdomain, token.json.token)).body.data?.viewer.tokenName).toBe('ci');

    const list = await cli('token', 'list', subdomain);
    expect(list.json.tokens).toHaveLength(1);
    expect(JSON.stringify(list.json)).not.toContain(token.json.token);

    expect((await cli('token', 'revoke', subdomain, list.json.tokens[0].id)).code).toBe(0);
    expect((await query(subdomain, token.json.token)).status).toBe(401);

    const rotated = await cli('tenant', 'rotate-admin-key', subdomain);
    expect(rotated.json.adminKey).not.toBe(created.json.adminKey);
    expect((await query(subdomain, created.json.adminKey)).status).toBe(401);
    expect((await query(subdomain, rotated.json.adminKey)).status).toBe(200);

    expect((await cli('api', 'disable', subdomain)).json.apiEnabled).toBe(false);
  }, 60_000);

  it('reports errors as JSON with a code and a non-zero exit', async () => {
    const missing = await cli('api', 'enable', 'no-such-tenant');
    expect(missing.code).toBe(1);
    expect(missing.json).toEqual({
      error: { code: 'TENANT_NOT_FOUND', message: 'No tenant "no-such-tenant".' },
    });
    const bad = await cli('tenant', 'create', 'Not_A_Subdomain');
    expect(bad.json.error.code).toBe('BAD_USER_INPUT');
    const subdomain = uniqueName('dup');
    await cli('tenant', 'create', subdomain);
    expect((await cli('tenant', 'create', subdomain)).json.error.code).toBe('CONFLICT');
    const ability = await cli(
      'token',
      'create',
      subdomain,
      '--name',
      'x',
      '--abilities',
      'contacts.fly',
    );
    expect(ability.code).toBe(1);
    expect(ability.json.error.code).toBe('BAD_USER_INPUT');
  }, 60_000);

  it('migrates and seeds the demo tenant, twice without duplicates', async () => {
    expect((await cli('db', 'migrate')).json).toEqual({ migrated: true });
    const first = await cli('db', 'seed');
    expect(first.json.tenant).toBe('demo');
    expect(first.json.counts.statuses).toBeGreaterThan(0);
    const second = await cli('db', 'seed');
    expect(second.json.counts.statuses).toBe(0);
  }, 60_000);
});
