import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { monotonicMs, type WorkerReply, type WorkerRequest } from './subscriber-pool.js';

/**
 * A child process holding graphql-ws subscribers (one socket each) for bench/subscriptions.ts,
 * driven over IPC by subscriber-pool.ts. Each event's receive time is taken in the `next`
 * callback on the system-wide monotonic clock (process.hrtime, CLOCK_MONOTONIC on Linux), which
 * the parent reads too, so the parent's POST time and these times are comparable across
 * processes. Exits when the parent goes away.
 */
if (!process.send) throw new Error('subscriber-worker.ts runs as a forked child only');

const send = (reply: WorkerReply) => process.send!(reply);

const clients: Client[] = [];
/** Receive times (ms, monotonic) per event key ("<message id>/<status>"), one per client. */
const times = new Map<string, number[]>();
let errors = 0;
let lastError = '';
const closeCodes: Record<string, number> = {};
const errorAt: number[] = [];
const closedAt: number[] = [];
let disposing = false;

function open(url: string, token: string, query: string): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      connectionAckWaitTimeout: 30_000,
      onNonLazyError: () => settle(false),
      on: {
        connected: () => settle(true),
        closed: (event) => {
          if (!disposing) closedAt.push(monotonicMs());
          settle(false);
          const code = String((event as { code?: number }).code ?? 'none');
          closeCodes[code] = (closeCodes[code] ?? 0) + 1;
        },
      },
    });
    clients.push(client);
    client.subscribe<{ messageStatusChanged: { status: string; message: { id: string } | null } }>(
      { query },
      {
        next: (value) => {
          const at = monotonicMs();
          const event = value.data?.messageStatusChanged;
          if (value.errors) errorAt.push(at);
          if (value.errors || !event?.message) {
            errors += 1;
            lastError = JSON.stringify(value.errors ?? value).slice(0, 300);
            return;
          }
          const key = `${event.message.id}/${event.status}`;
          let list = times.get(key);
          if (!list) times.set(key, (list = []));
          list.push(at);
          if (list.length === clients.length) send({ type: 'complete', key });
        },
        error: (error) => {
          if (disposing) return;
          errors += 1;
          lastError = String((error as { code?: number }).code ?? error).slice(0, 300);
        },
        complete: () => {},
      },
    );
  });
}

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    switch (message.type) {
      case 'connect': {
        const results = await Promise.all(
          Array.from({ length: message.count }, () =>
            open(message.url, message.token, message.query),
          ),
        );
        send({
          type: 'connected',
          total: clients.length,
          failed: results.filter((ok) => !ok).length,
        });
        break;
      }
      case 'report':
        send({
          type: 'report',
          clients: clients.length,
          times: Object.fromEntries(times),
          errors,
          lastError,
          closeCodes,
          rss: process.memoryUsage().rss,
          cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
        });
        break;
      case 'closures':
        send({ type: 'closures', errorAt, closedAt });
        break;
      case 'dispose':
        disposing = true;
        await Promise.all(clients.map((client) => client.dispose()));
        send({ type: 'disposed' });
        process.disconnect();
        break;
    }
  })();
});
process.on('disconnect', () => process.exit(0));
