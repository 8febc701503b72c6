import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { freePort } from './helpers/net.js';
import { cleanEnv, ROOT } from './helpers/process.js';

// A process supervisor stops `npm start` by signalling the npm process only. Everything it started
// (the server, its embedded PostgreSQL) must stop with it.

const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-npm-start-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid: Number(ppid), state: state!, command };
  } catch {
    return undefined; // gone
  }
}

/** The living descendants of `root` (children, grandchildren, …). */
function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined && info.state !== 'Z');
  const found: ProcessInfo[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.pop()!;
    for (const info of all.filter((candidate) => candidate.ppid === parent)) {
      found.push(info);
      parents.push(info.pid);
    }
  }
  return found;
}

const alive = (info: ProcessInfo) => {
  const now = readProcess(info.pid);
  return now !== undefined && now.state !== 'Z' && now.command === info.command;
};

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

async function eventually(check: () => Promise<boolean> | boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

/** What each test started, killed after it whether it passed or not. */
let leftovers: () => ProcessInfo[] = () => [];
afterEach(() => {
  for (const info of leftovers().filter(alive)) process.kill(info.pid, 'SIGKILL');
  leftovers = () => [];
});

it.each([
  { script: 'start', signal: 'SIGTERM', ready: /GraphiQL:/ },
  { script: 'start', signal: 'SIGINT', ready: /GraphiQL:/ },
  { script: 'dispatcher', signal: 'SIGTERM', ready: /dispatcher started/ },
] as const)(
  '`npm run $script` stops on $signal to npm: its server and embedded PostgreSQL stop, no process is left',
  async ({ script, signal, ready }) => {
    const httpPort = await freePort();
    const pgPort = await freePort();
    const env = cleanEnv({
      DATA_DIR: mkdtempSync(path.join(dataDir, `${script}-`)),
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(httpPort),
      LOG_LEVEL: 'info',
    });
    const npm = spawn('npm', ['run', script], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    npm.once('exit', () => (exited = true));
    let started: ProcessInfo[] = [];
    const npmItself = readProcess(npm.pid!)!;
    leftovers = () => [npmItself, ...descendants(npm.pid!), ...started];

    expect(await eventually(() => ready.test(output), 90_000), output).toBe(true);
    started = descendants(npm.pid!);
    expect(started.map((info) => info.command).join('\n')).toMatch(/postgres -D/);
    expect(await answers(pgPort)).toBe(true);
    if (script === 'start') expect(await answers(httpPort)).toBe(true);

    npm.kill(signal);

    expect(await eventually(() => exited), 'npm exits').toBe(true);
    expect(await eventually(() => started.every((info) => !alive(info)))).toBe(true);
    expect(started.filter(alive).map((info) => info.command)).toEqual([]);
    expect(await answers(pgPort)).toBe(false);
    expect(await answers(httpPort)).toBe(false);
    if (script === 'start') expect(output).toMatch(/"msg":"stopped"/);
  },
  120_000,
);
