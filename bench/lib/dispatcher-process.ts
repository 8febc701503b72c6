import { spawn } from 'node:child_process';

/**
 * `npm run dispatcher` (src/dispatcher-main.ts) as its own process, run the way the script runs it
 * (tsx) but with this Node binary. Resolves once it prints "dispatcher started" (at most 60 s);
 * `stop` is SIGTERM (a graceful stop), then SIGKILL after 15 s.
 */
export interface DispatcherProcess {
  pid: number;
  /** When the process was spawned and when it reported started (Date.now()). */
  spawnedAt: number;
  startedAt: number;
  /** Lines it logged at error level or above. */
  errorLines(): number;
  exited(): boolean;
  stop(): Promise<number | null>;
}

const ROOT = new URL('../..', import.meta.url);

export async function startDispatcher(env: Record<string, string>): Promise<DispatcherProcess> {
  const spawnedAt = Date.now();
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile is written there when the process exits (as server.ts).
  const profile = process.env.BENCH_CPU_PROF;
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'src/dispatcher-main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = 0;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    errors += text.match(/"level":(50|60)/g)?.length ?? 0;
    output = (output + text).slice(-20_000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const startedAt = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start in 60 s'), 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`dispatcher: ${why}\n${output.slice(-4000)}`));
    };
    const check = () => {
      if (!output.includes('dispatcher started')) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(Date.now());
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => fail(`exited (${code}) before it started`));
  });
  return {
    pid: child.pid!,
    spawnedAt,
    startedAt,
    errorLines: () => errors,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}
