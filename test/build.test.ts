import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from './helpers/net.js';
import { cleanEnv, ROOT } from './helpers/process.js';

// The deployment path of the README: `npm run build`, then `node dist/src/main.js` (no tsx).

const dir = mkdtempSync(path.join(tmpdir(), 'gw-build-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`exited before ${pattern}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return pattern.exec(output)!;
  };
  return { child, exited, waitFor, output: () => output };
}

it('`npm run build` makes a dist/ whose server and dispatcher run with plain node, from any directory', async () => {
  const build = run('npm', ['run', 'build'], cleanEnv({}));
  expect(await build.exited, build.output()).toBe(0);

  const env = cleanEnv({
    DATA_DIR: path.join(dir, '.data'),
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(await freePort()),
  });
  const server = run(process.execPath, [path.join(ROOT, 'dist/src/main.js')], env, dir);
  try {
    const [, endpoint] = await server.waitFor(/GraphiQL:\s+(\S+)/);
    const [, token] = await server.waitFor(/API token:\s+(wmk_\S+)/);
    const response = await fetch(endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { tenant { subdomain } } }' }),
    });
    expect((await response.json()).data).toEqual({ viewer: { tenant: { subdomain: 'demo' } } });

    // The settings page and the files it loads, read from disk next to the built code.
    const page = await fetch(endpoint!.replace(/graphql$/, 'settings'));
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/settings\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      const file = await fetch(new URL(asset, endpoint));
      expect(file.status, asset).toBe(200);
      expect((await file.text()).length, asset).toBeGreaterThan(0);
    }

    // The REST face, its OpenAPI document and its reference page with the files it loads.
    const templates = await fetch(endpoint!.replace(/graphql$/, 'templates'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(templates.status).toBe(200);
    expect((await templates.json()).meta).toMatchObject({ current_page: 1 });
    const openapi = await fetch(endpoint!.replace(/graphql$/, 'openapi.json'));
    expect((await openapi.json()).openapi).toMatch(/^3\.1/);
    const docs = await fetch(endpoint!.replace(/graphql$/, 'docs'));
    expect(docs.status).toBe(200);
    const docAssets = [...(await docs.text()).matchAll(/(?:src|href)="(\/rest-docs\/[^"]+)"/g)];
    expect(docAssets.length).toBeGreaterThanOrEqual(3);
    for (const [, asset] of docAssets) {
      const file = await fetch(new URL(asset!, endpoint));
      expect(file.status, asset).toBe(200);
      expect((await file.text()).length, asset).toBeGreaterThan(0);
    }

    // A dispatcher of its own joins the server's embedded PostgreSQL.
    const dispatcher = run(
      process.execPath,
      [path.join(ROOT, 'dist/src/dispatcher-main.js')],
      env,
      dir,
    );
    await dispatcher.waitFor(/dispatcher started/);
    dispatcher.child.kill('SIGTERM');
    expect(await dispatcher.exited).toBe(0);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect(await server.exited).toBe(0);
}, 180_000);
