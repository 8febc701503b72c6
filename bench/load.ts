import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { startBenchServer, type BenchServer } from './lib/server.js';
import { seed } from './lib/seed.js';
import { subscribe, type Subscribers } from './lib/subscribers.js';
import { workload } from './lib/workload.js';

/**
 * `npm run bench:load [-- --quick] [-- --duration S --connections N --subscribers N]`
 *
 * Starts the server as its own process on a scratch database, seeds a tenant through the API, then
 * runs `connections` concurrent HTTP clients on a mixed workload (reads, writes, sandbox sends)
 * with autocannon for `duration` seconds while graphql-ws subscribers receive the delivery events.
 * Reports throughput, latency, errors and the server's memory to stdout and to
 * bench/results/load-<date>.json; exits 1 when anything failed. Loopback only; every wait is
 * bounded.
 *
 * Rate limits: the server is started with a budget that never throttles (RATE_LIMIT_* and
 * SEND_RATE_LIMIT_MPS below), so a 429 would be a fault, not the budget at work.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const settings = {
  durationSeconds: option('duration', quick ? 10 : 60),
  connections: option('connections', 200),
  subscribers: option('subscribers', quick ? 100 : 300),
  contacts: option('contacts', 1000),
  tokens: 20,
};
const serverEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  RATE_LIMIT_BUCKET_SIZE: '1000000000',
  RATE_LIMIT_RESTORE_RATE: '1000000000',
  SEND_RATE_LIMIT_MPS: '1000000',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
  return values.reduce((sum, match) => sum + Number(match[1]), 0);
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

async function run(server: BenchServer) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`server pid ${server.pid} at ${server.base}; seeding…`);
  const seeded = await seed(server.endpoint, server.adminKey, settings);
  const sendTo = seeded.contactIds.slice(0, Math.max(settings.subscribers, 100));

  const wsUrl = server.endpoint.replace(/^http/, 'ws');
  const subscribers: Subscribers = subscribe(
    wsUrl,
    seeded.tokens,
    sendTo.slice(0, settings.subscribers),
  );
  const ready = await waitFor(
    async () => (await metric(server.base, 'gateway_subscriptions_open')) >= settings.subscribers,
    60_000,
  );
  if (!ready) throw new Error('the subscribers did not all subscribe within 60 s');
  log(
    `${settings.contacts} contacts, ${seeded.tokens.length} tokens, ${settings.subscribers} subscribers; ` +
      `${settings.connections} clients for ${settings.durationSeconds} s…`,
  );

  const rss = { start: await server.rss(), peak: 0, end: 0, samples: 0 };
  rss.peak = rss.start;
  const sampler = setInterval(() => {
    void server.rss().then((bytes) => {
      rss.samples += 1;
      rss.peak = Math.max(rss.peak, bytes);
    });
  }, 1000);
  const { requests, tallies } = workload(new URL(server.endpoint).pathname, seeded, sendTo);
  const result = await autocannon({
    url: server.base,
    connections: settings.connections,
    duration: settings.durationSeconds,
    timeout: 10,
    requests,
  });
  clearInterval(sampler);
  rss.end = await server.rss();
  rss.peak = Math.max(rss.peak, rss.end);

  const outboxAtEnd = await metric(server.base, 'gateway_outbox_depth');
  const drainStart = Date.now();
  const drained = await waitFor(
    async () => (await metric(server.base, 'gateway_outbox_depth')) === 0,
    60_000,
  );
  const outboxDrainMs = Date.now() - drainStart;
  await sleep(4000); // the sandbox's DELIVERED and READ come 1.5 s and 3 s after SENT
  const lagP99 = await metric(server.base, 'nodejs_eventloop_lag_p99_seconds');
  const dispatch = {
    sent: await metric(server.base, 'gateway_dispatch_results_total\\{result="sent"\\}'),
    failed: await metric(server.base, 'gateway_dispatch_results_total\\{result="failed"\\}'),
  };
  const stop = await server.stop();
  await sleep(500);

  const byOperation = Object.fromEntries(tallies);
  const totals = [...tallies.values()].reduce(
    (sum, t) => ({ non2xx: sum.non2xx + t.non2xx, graphql: sum.graphql + t.graphqlErrors }),
    { non2xx: 0, graphql: 0 },
  );
  return {
    date: new Date().toISOString(),
    command: `npm run bench:load${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    settings: { ...settings, server: serverEnv, mix: requests.length },
    requests: {
      total: result.requests.total,
      perSecond: Math.round(result.requests.average),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: result.latency.mean,
      },
    },
    errors: {
      non2xx: result.non2xx,
      graphql: totals.graphql,
      socket: result.errors,
      timeouts: result.timeouts,
      subscription: subscribers.errors,
      serverErrorLogLines: server.errorLines(),
    },
    byOperation,
    subscriptions: {
      subscribers: settings.subscribers,
      events: subscribers.events,
      receiving: subscribers.receiving(),
      closeCodes: subscribers.closeCodes,
    },
    dispatch: { ...dispatch, outboxAtEnd, outboxDrained: drained, outboxDrainMs },
    memoryMb: { start: mb(rss.start), peak: mb(rss.peak), end: mb(rss.end), samples: rss.samples },
    eventLoopLagP99Ms: Math.round(lagP99 * 10_000) / 10,
    shutdown: stop,
    _subscribers: subscribers,
  };
}

const server = await startBenchServer(serverEnv);
let report: Awaited<ReturnType<typeof run>>;
try {
  report = await run(server);
} finally {
  await server.cleanup();
}
const { _subscribers: subscribers, ...results } = report;
await subscribers.dispose();

const failures =
  results.errors.non2xx +
  results.errors.graphql +
  results.errors.socket +
  results.errors.timeouts +
  results.errors.subscription +
  (results.shutdown.code === 0 ? 0 : 1);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/load-${results.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

const r = results;
process.stdout.write(
  [
    '',
    `requests   ${r.requests.total} in ${r.settings.durationSeconds} s: ${r.requests.perSecond} req/s`,
    `latency    p50 ${r.requests.latencyMs.p50} ms, p90 ${r.requests.latencyMs.p90} ms, p99 ${r.requests.latencyMs.p99} ms, max ${r.requests.latencyMs.max} ms`,
    `errors     non-2xx ${r.errors.non2xx}, GraphQL ${r.errors.graphql}, socket ${r.errors.socket}, timeouts ${r.errors.timeouts}, subscription ${r.errors.subscription}, server error log lines ${r.errors.serverErrorLogLines}`,
    `subscribe  ${r.subscriptions.events} events to ${r.subscriptions.receiving}/${r.subscriptions.subscribers} subscribers; closed with ${JSON.stringify(r.subscriptions.closeCodes)}`,
    `dispatch   ${r.dispatch.sent} sent, ${r.dispatch.failed} failed; outbox ${r.dispatch.outboxAtEnd} at the end of the load, empty ${r.dispatch.outboxDrainMs} ms later`,
    `memory     server RSS start ${r.memoryMb.start} MB, peak ${r.memoryMb.peak} MB, end ${r.memoryMb.end} MB (${r.memoryMb.samples} samples); event loop lag p99 ${r.eventLoopLagP99Ms} ms`,
    `shutdown   SIGTERM → exit ${r.shutdown.code} in ${r.shutdown.ms} ms`,
    `results    ${file.pathname}`,
    '',
  ].join('\n'),
);
process.exit(failures === 0 ? 0 : 1);
