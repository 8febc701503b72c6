import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from './helpers/net.js';
import { cleanEnv, ROOT, runProcess } from './helpers/process.js';

const VITEST = 'node_modules/vitest/vitest.mjs';

/**
 * Runs `vitest run` on one fixture of test/fixtures/exit-code/ in its own process, with
 * DATABASE_URL unset (the embedded PostgreSQL of test/helpers/global-setup.ts, as `npm test` uses
 * by default). Resolves with its exit code and output.
 */
function runFixture(name: string): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(
    Object.entries(cleanEnv({ FIXTURE: `test/fixtures/exit-code/${name}`, NO_COLOR: '1' })).filter(
      ([key]) => !key.startsWith('VITEST') && key !== 'FORCE_COLOR',
    ),
  );
  const child = spawn(
    process.execPath,
    [VITEST, 'run', '--config', 'test/fixtures/exit-code/vitest.config.ts'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

it('a passing run on the embedded PostgreSQL exits 0', async () => {
  const { code, output } = await runFixture('passes.fixture.ts');
  expect(output).toMatch(/Tests\s+1 passed/);
  expect(code).toBe(0);
}, 120_000);

it('a failing test makes the run exit 1, with the embedded PostgreSQL', async () => {
  const { code, output } = await runFixture('fails.fixture.ts');
  expect(output).toMatch(/Tests\s+1 failed/);
  expect(code).toBe(1);
}, 120_000);

it('a test file that fails to load makes the run exit 1, with the embedded PostgreSQL', async () => {
  const { code, output } = await runFixture('fails-to-load.fixture.ts');
  expect(output).toMatch(/this file fails to load on purpose/);
  expect(output).toMatch(/Test Files\s+1 failed/);
  expect(code).toBe(1);
}, 120_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-exit-code-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('a process that exits without stopping its embedded PostgreSQL keeps its exit code and stops it', async () => {
  const port = await freePort();
  const { code, output } = await runProcess(
    'test/fixtures/exit-code/exit-without-stop.fixture.ts',
    [dataDir, String(port)],
    cleanEnv({}),
  );
  expect(output).toMatch(/started/);
  expect(code).toBe(3);
  // PostgreSQL was told to stop (SIGINT, a fast shutdown) as the process exited; it may take a moment.
  const deadline = Date.now() + 15_000;
  while ((await answers(port)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(await answers(port)).toBe(false);
}, 120_000);
