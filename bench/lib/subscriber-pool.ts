import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * graphql-ws subscribers spread over child processes (subscriber-worker.ts), so that the process
 * measuring latency is not the one parsing thousands of frames. Every call waits a bounded time.
 */
export type WorkerRequest =
  | { type: 'connect'; url: string; token: string; query: string; count: number }
  | { type: 'report' }
  | { type: 'closures' }
  | { type: 'dispose' };

export type WorkerReply =
  | { type: 'connected'; total: number; failed: number }
  | { type: 'complete'; key: string }
  | {
      type: 'report';
      /** Subscribers this worker holds. */
      clients: number;
      /** Receive times per event key, ms on the monotonic clock of `monotonicMs`. */
      times: Record<string, number[]>;
      errors: number;
      lastError: string;
      closeCodes: Record<string, number>;
      rss: number;
      /** CPU time the worker has used since it started (user + system). */
      cpuMs: number;
    }
  | {
      type: 'closures';
      /** When each subscriber received its auth error (a GraphQL error result), monotonic ms. */
      errorAt: number[];
      /** When each subscriber's socket closed (not by the worker's own dispose), monotonic ms. */
      closedAt: number[];
    }
  | { type: 'disposed' };

export type WorkerReport = Extract<WorkerReply, { type: 'report' }>;

/** Milliseconds on the clock the workers stamp events with (CLOCK_MONOTONIC, system-wide). */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

export interface SubscriberWorker {
  /** The graphql-ws URL its subscribers use. */
  url: string;
  /** Subscribers it holds (acknowledged connections, subscribe sent). */
  count: number;
  /** Opens `count` more subscribers; resolves once each connection is acknowledged or failed. */
  connect(count: number, timeoutMs: number): Promise<{ failed: number }>;
  /** Resolves when every subscriber of this worker has received the event `key`. */
  completed(key: string): Promise<void>;
  report(timeoutMs: number): Promise<WorkerReport>;
  /** The auth errors and closes its subscribers have seen so far. */
  closures(timeoutMs: number): Promise<Extract<WorkerReply, { type: 'closures' }>>;
  /** Closes the sockets and ends the process (SIGKILL after `timeoutMs`). */
  dispose(timeoutMs: number): Promise<void>;
}

const WORKER = fileURLToPath(new URL('./subscriber-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startWorker(
  url: string,
  token: string,
  query: string,
): Promise<SubscriberWorker> {
  const child: ChildProcess = fork(WORKER, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const done = new Set<string>();
  const waiting = new Map<string, () => void>();
  let pending: { type: WorkerReply['type']; resolve: (reply: WorkerReply) => void } | undefined;
  child.on('message', (reply: WorkerReply) => {
    if (reply.type === 'complete') {
      done.add(reply.key);
      waiting.get(reply.key)?.();
    } else if (pending?.type === reply.type) {
      const { resolve } = pending;
      pending = undefined;
      resolve(reply);
    }
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  /** One request at a time: the reply of the given type answers it. */
  const ask = <T extends WorkerReply['type']>(
    request: WorkerRequest,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<WorkerReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (pending) return reject(new Error('a worker request is already pending'));
      const timer = setTimeout(() => {
        pending = undefined;
        reject(new Error(`subscriber worker: no ${type} reply in ${timeoutMs} ms`));
      }, timeoutMs);
      pending = {
        type,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as Extract<WorkerReply, { type: T }>);
        },
      };
      child.send(request);
    });

  const worker: SubscriberWorker = {
    url,
    count: 0,
    connect: async (count, timeoutMs) => {
      const reply = await ask(
        { type: 'connect', url, token, query, count },
        'connected',
        timeoutMs,
      );
      worker.count = reply.total;
      return { failed: reply.failed };
    },
    completed: (key) =>
      done.has(key)
        ? Promise.resolve()
        : new Promise<void>((resolve) =>
            waiting.set(key, () => {
              waiting.delete(key);
              resolve();
            }),
          ),
    report: (timeoutMs) => ask({ type: 'report' }, 'report', timeoutMs),
    closures: (timeoutMs) => ask({ type: 'closures' }, 'closures', timeoutMs),
    dispose: async (timeoutMs) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      if (child.connected) child.send({ type: 'dispose' } satisfies WorkerRequest);
      else child.kill('SIGKILL');
      await exited;
      clearTimeout(timer);
    },
  };
  return worker;
}
