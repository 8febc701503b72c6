import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type OpenDatabase } from '../../src/db/open.js';

/**
 * The server under test: a real `src/main.ts` process on a scratch database (created on
 * DATABASE_URL's server, or on the embedded PostgreSQL of `npm start` when it is unset), dropped
 * afterwards. Loopback only.
 */
export interface BenchServer {
  pid: number;
  /** The scratch database's connection string. */
  databaseUrl: string;
  base: string;
  endpoint: string;
  adminKey: string;
  /** Lines the server logged at error level or above. */
  errorLines(): number;
  /** Resident set size in bytes, from /proc (Linux) or the server's own /metrics. */
  rss(): Promise<number>;
  /** SIGTERM; resolves with the exit code and how long the graceful stop took. */
  stop(): Promise<{ code: number | null; ms: number }>;
  /** Drops the scratch database (and stops the embedded PostgreSQL if this process started it). */
  cleanup(): Promise<void>;
}

const ROOT = new URL('../..', import.meta.url);

export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  let embedded: OpenDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await openDatabase(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
    adminUrl = embedded.handle.connectionString;
  }
  const name = `gw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF;
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: url.toString(), PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const banner = await readBanner(child);
  let errors = 0;
  const count = (chunk: Buffer) => {
    errors += chunk.toString().match(/"level":(50|60)/g)?.length ?? 0;
  };
  child.stdout!.on('data', count);
  child.stderr!.on('data', count);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const base = new URL(banner.endpoint).origin;

  return {
    pid: child.pid!,
    databaseUrl: url.toString(),
    base,
    endpoint: banner.endpoint,
    adminKey: banner.adminKey,
    errorLines: () => errors,
    rss: async () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
      } catch {
        const text = await (await fetch(`${base}/metrics`)).text();
        return Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
      }
    },
    stop: async () => {
      const start = Date.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: Date.now() - start };
    },
    cleanup: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await embedded?.close();
    },
  };
}

/** The GraphiQL URL and the demo tenant's admin key, printed once at start. */
function readBanner(child: ChildProcess): Promise<{ endpoint: string; adminKey: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error('the server did not start in 60 s')), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const endpoint = /GraphiQL:\s+(\S+)/.exec(output)?.[1];
      const adminKey = /admin key:\s+(wma_\S+)/.exec(output)?.[1];
      if (endpoint && adminKey) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve({ endpoint, adminKey });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      fail(new Error(`the server exited (${code}) before it was ready`)),
    );
  });
}
