import { spawn } from 'node:child_process';

/**
 * A further gateway process on the scratch database of a BenchServer (startBenchServer creates one
 * database per server): a second instance of the same deployment, as behind a load balancer.
 * Loopback only.
 */
export interface Instance {
  pid: number;
  base: string;
  endpoint: string;
  /** Lines the process logged at error level or above. */
  errorLines(): number;
  /** SIGTERM, then SIGKILL after 30 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const ROOT = new URL('../..', import.meta.url);

/**
 * Starts `src/main.ts` on an existing, migrated database (the demo tenant exists, so its banner
 * names the endpoint but no secrets) and waits at most 60 s for it to listen.
 */
export async function startInstance(
  databaseUrl: string,
  env: Record<string, string>,
): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let errors = 0;
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start in 60 s'), 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`second gateway instance ${why}\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      errors += text.match(/"level":(50|60)/g)?.length ?? 0;
      if (output.length < 100_000) output += text;
      const found = /GraphiQL:\s+(\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(found);
      }
    };
    const onExit = (code: number | null) => fail(`exited (${code}) before it was ready`);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    pid: child.pid!,
    base: new URL(endpoint).origin,
    endpoint,
    errorLines: () => errors,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
