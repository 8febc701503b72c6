import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { encodeId } from '../src/ids.js';
import { sign } from '../src/webhooks/signature.js';
import { FakeWhatsApp } from '../test/helpers/fake-whatsapp.js';
import { backendCpuMs, processCpuMs } from './lib/cpu.js';
import { startInstance, type Instance } from './lib/instance.js';
import { gqlClient } from './lib/seed.js';
import { seedSentMessages } from './lib/seed-sql.js';
import { startBenchServer, type BenchServer } from './lib/server.js';
import {
  monotonicMs,
  startWorker,
  type SubscriberWorker,
  type WorkerReport,
} from './lib/subscriber-pool.js';

/**
 * Issue 7, part 3: graphql-ws subscriptions. For each N, one gateway process (`src/main.ts`, cloud
 * mode, dispatcher off) on its own scratch database holds N subscribers, each a graphql-ws client
 * with its own socket, in two child processes (bench/lib/subscriber-worker.ts). Measured: the time
 * to connect them (in batches, each batch's subscriptions confirmed live by
 * `gateway_subscriptions_open`), the server's RSS per subscriber, and the latency from a signed
 * Meta status webhook POST to the event arriving at every subscriber. Then two instances on one
 * database: webhooks to A, subscribers split over A and B (B hears through LISTEN/NOTIFY).
 *
 * Every subscriber runs `messageStatusChanged` with no filter (all the tenant's messages), so every
 * webhook reaches all N. The webhooks are POSTed one at a time; the next goes once every subscriber
 * has the previous event (or its timeout passes, which ends the run and is reported). Then the
 * subscribers' token is revoked, and the delay from the revocation to each subscriber's
 * UNAUTHENTICATED error and to its socket's close is reported (test/subscriptions.test.ts only
 * checks that they end, with the right error and code).
 *
 * Usable as a module (`benchSubscriptions`, for bench/compare.ts) or run directly:
 * `npx tsx bench/subscriptions.ts [--quick]` prints the Markdown section.
 */
export interface SubscriptionsOptions {
  quick: boolean;
  log: (line: string) => void;
  /**
   * Overrides, for development: subscriber counts on one instance, webhooks per run (by default
   * 20, 10 at 10,000 subscribers and in quick runs), two-instance N.
   */
  sizes?: number[];
  webhooks?: number;
  pairSubscribers?: number;
}

const SUBSCRIPTION = `subscription BenchWatch {
  messageStatusChanged { status message { id } }
}`;
/** Subscribers connected per batch; a batch's subscriptions are live before the next starts. */
const BATCH = 200;
const WORKERS = 2;
const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = `1${String(Date.now()).slice(-14)}`;

const serverEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DISPATCHER: 'off',
  WHATSAPP_MODE: 'cloud',
  WHATSAPP_APP_SECRET: APP_SECRET,
  WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
  // Given, so no process writes a key file into DATA_DIR.
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  RATE_LIMIT_BUCKET_SIZE: '1000000000',
  RATE_LIMIT_RESTORE_RATE: '1000000000',
  SEND_RATE_LIMIT_MPS: '1000000',
  // Development: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` profiles the gateway processes only.
  ...(process.env.BENCH_SERVER_NODE_OPTIONS && {
    NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS,
  }),
};

/**
 * Cleanups of the runs in progress (idempotent), so that a signal can stop the servers and drop
 * the scratch databases too (standalone only; `finally` covers errors).
 */
const inProgress = new Set<() => Promise<void>>();

/** Runs `cleanup` once, however many times it is called; registered while the run lasts. */
function cleanupOnce(cleanup: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= cleanup());
  inProgress.add(once);
  return async () => {
    await once();
    inProgress.delete(once);
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Races `promise` against a timer; the timer never outlives the race. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function metric(base: string, name: string): Promise<number> {
  const response = await within(fetch(`${base}/metrics`), 10_000, 'GET /metrics');
  const text = await response.text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** "soft / hard" from /proc/self/limits (Linux), else "unknown". */
function openFilesLimit(): string {
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line ? `${line[1]} (hard ${line[2]})` : 'unknown';
  } catch {
    return 'unknown';
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mb = (bytes: number) => fmt(bytes / 2 ** 20);

interface Fixture {
  token: string;
  /** The token's id, for revoking it. */
  tokenId: string;
  /** Messages in status SENT with a wamid, in the demo tenant. */
  messages: { id: string; wamid: string }[];
}

/**
 * The tenant's WhatsApp connection (through the admin API, as an admin sets it), a token that may
 * subscribe, and `count` messages inserted in SQL as the dispatcher leaves them after Meta
 * accepted them: SENT, with a wamid and their QUEUED and SENT history.
 */
async function prepare(server: BenchServer, db: pg.Client, count: number): Promise<Fixture> {
  const admin = gqlClient(server.endpoint, server.adminKey);
  await admin(
    `mutation($input: SetWhatsAppConnectionInput!) {
      setWhatsAppConnection(input: $input) { whatsAppConnection { connected } }
    }`,
    {
      input: {
        phoneNumberId: PHONE_NUMBER_ID,
        wabaId: '102290129340398',
        accessToken: `EAAG${randomBytes(24).toString('hex')}`,
      },
    },
  );
  const created = await admin(
    'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }',
    { input: { name: 'bench-subscriptions', abilities: ['messages.send_text'] } },
  );
  const rows = await seedSentMessages(db, count);
  if (rows.length !== count) throw new Error(`inserted ${rows.length} of ${count} messages`);
  return {
    token: created.createApiToken.token,
    tokenId: created.createApiToken.apiToken.id,
    messages: rows,
  };
}

/** A client on the server's scratch database (for the fixture and the backends' CPU time). */
async function connectDatabase(server: BenchServer): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  return db;
}

/** Meta's status webhook for one message, as the Cloud API posts it (the test fake's builder). */
const meta = new FakeWhatsApp(APP_SECRET);
function statusPayload(wamid: string, status: 'delivered' | 'read'): string {
  return JSON.stringify(meta.statusPayload(PHONE_NUMBER_ID, wamid, status));
}

/** Subscribers of one gateway instance, spread over its workers. */
interface Group {
  label: string;
  base: string;
  wsUrl: string;
  workers: SubscriberWorker[];
}

/**
 * Connects `perGroup[i]` subscribers to each group, BATCH at a time in all, round-robin over the
 * workers; after each batch, waits (30 s at most) until every instance's
 * gateway_subscriptions_open counts them all.
 */
async function connectAll(groups: Group[], perGroup: number[], log: (line: string) => void) {
  const total = perGroup.reduce((a, b) => a + b, 0);
  const target = groups.map(() => 0);
  let connected = 0;
  let nextLog = 0;
  let lastLog = { at: monotonicMs(), count: 0 };
  while (connected < total) {
    const share = groups.map((group) => group.workers.map(() => 0));
    let batch = Math.min(BATCH, total - connected);
    connected += batch;
    // Each subscriber of the batch goes to the group furthest from its total, so groups fill
    // evenly; within a group, round-robin over its workers.
    for (; batch > 0; batch--) {
      let g = 0;
      for (let i = 1; i < groups.length; i++) {
        if (perGroup[i]! - target[i]! > perGroup[g]! - target[g]!) g = i;
      }
      const w = target[g]! % groups[g]!.workers.length;
      share[g]![w]! += 1;
      target[g]! += 1;
    }
    const results = await Promise.all(
      groups.flatMap((group, g) =>
        group.workers.map((worker, w) =>
          share[g]![w]! > 0 ? worker.connect(share[g]![w]!, 60_000) : { failed: 0 },
        ),
      ),
    );
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} subscribers could not connect`);
    const deadline = Date.now() + 30_000;
    for (let g = 0; g < groups.length; g++) {
      for (;;) {
        const open = await metric(groups[g]!.base, 'gateway_subscriptions_open');
        if (open >= target[g]!) break;
        if (Date.now() > deadline) {
          throw new Error(
            `${groups[g]!.label}: ${open} of ${target[g]} subscriptions live after 30 s`,
          );
        }
        await sleep(50);
      }
    }
    if (connected >= nextLog || connected === total) {
      const perSubscriber = (monotonicMs() - lastLog.at) / (connected - lastLog.count);
      log(
        `  ${connected}/${total} subscribed (${fmt(perSubscriber, 2)} ms each since the last line)`,
      );
      nextLog = connected + Math.max(1000, total / 5);
      lastLog = { at: monotonicMs(), count: connected };
    }
  }
}

interface Latency {
  expected: number;
  received: number;
  /** Receipts of events not sent by this run, or a second receipt at one subscriber. */
  extra: number;
  p50: number;
  p99: number;
  /** Per webhook, the earliest and the latest subscriber's latency; medians over webhooks. */
  firstP50: number;
  lastP50: number;
}

function latencies(sent: Map<string, number>, reports: WorkerReport[]): Latency {
  const all: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  let received = 0;
  let extra = 0;
  for (const [key, t0] of sent) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const report of reports) {
      const list = report.times[key] ?? [];
      // One receipt per subscriber is expected; more than the worker's subscribers are repeats.
      received += Math.min(list.length, report.clients);
      extra += Math.max(0, list.length - report.clients);
      for (const at of list) {
        const ms = at - t0;
        all.push(ms);
        lo = Math.min(lo, ms);
        hi = Math.max(hi, ms);
      }
    }
    if (hi >= lo) {
      first.push(lo);
      last.push(hi);
    }
  }
  for (const report of reports) {
    for (const [key, list] of Object.entries(report.times))
      if (!sent.has(key)) extra += list.length;
  }
  const sort = (list: number[]) => list.sort((a, b) => a - b);
  sort(all);
  return {
    expected: sent.size * reports.reduce((sum, r) => sum + r.clients, 0),
    received,
    extra,
    p50: percentile(all, 0.5),
    p99: percentile(all, 0.99),
    firstP50: percentile(sort(first), 0.5),
    lastP50: percentile(sort(last), 0.5),
  };
}

/**
 * POSTs `count` signed status webhooks to `base`, one at a time: delivered, then read, for each
 * message in turn. Returns the POST time of each event key; stops early (with a note) when a
 * POST is not applied or the subscribers do not all receive an event within `waitMs`.
 */
async function postWebhooks(
  base: string,
  fixture: Fixture,
  count: number,
  workers: SubscriberWorker[],
  waitMs: number,
  notes: string[],
) {
  const sent = new Map<string, number>();
  const postMs: number[] = [];
  for (let j = 0; j < count; j++) {
    const message = fixture.messages[Math.floor(j / 2)]!;
    const status = j % 2 === 0 ? 'delivered' : 'read';
    const key = `${encodeId('Message', message.id)}/${status.toUpperCase()}`;
    const raw = statusPayload(message.wamid, status);
    const t0 = monotonicMs();
    const response = await within(
      fetch(`${base}/webhooks/whatsapp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': sign(raw, APP_SECRET),
        },
        body: raw,
      }),
      30_000,
      'webhook POST',
    );
    const body = (await response.json()) as { applied?: number };
    postMs.push(monotonicMs() - t0);
    if (response.status !== 200 || body.applied !== 1) {
      notes.push(`webhook ${j + 1} answered ${response.status} ${JSON.stringify(body)}; stopped`);
      break;
    }
    sent.set(key, t0);
    try {
      await within(Promise.all(workers.map((w) => w.completed(key))), waitMs, 'event fan-out');
    } catch {
      notes.push(
        `webhook ${j + 1}: not every subscriber had the event after ${waitMs / 1000} s; stopped`,
      );
      break;
    }
  }
  postMs.sort((a, b) => a - b);
  return { sent, postP50: percentile(postMs, 0.5) };
}

/** Starts `count` workers into `workers`, so that the caller can dispose of them on any failure. */
async function startWorkers(
  workers: SubscriberWorker[],
  count: number,
  wsUrl: string,
  token: string,
) {
  for (let i = 0; i < count; i++) workers.push(await startWorker(wsUrl, token, SUBSCRIPTION));
}

const disposeAll = (workers: SubscriberWorker[]) =>
  Promise.all(workers.map((w) => w.dispose(20_000).catch(() => {})));

interface SingleRow {
  n: number;
  connectS: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  open: number;
  webhooks: number;
  postP50: number;
  latency: Latency;
  clientRss: number;
  errors: number;
  /** CPU time per delivered event (one event at one subscriber) in the webhook phase, µs. */
  cpuUs: { server: number; postgres: number; clients: number };
  /** Wall time of the webhook phase per webhook, ms. */
  wallPerWebhookMs: number;
  revocation: Revocation;
}

/** From the revokeApiToken request to each subscriber's error, and to its socket's close. */
interface Revocation {
  errors: number;
  closed: number;
  errorP50: number;
  errorP99: number;
  closeP50: number;
  closeP99: number;
}

/**
 * Revokes the subscribers' token (one token for all N, through the admin API) and waits (30 s at
 * most) until every subscriber has its UNAUTHENTICATED error and its socket closed (4401).
 */
async function revokeAll(
  server: BenchServer,
  fixture: Fixture,
  workers: SubscriberWorker[],
  n: number,
): Promise<Revocation> {
  const admin = gqlClient(server.endpoint, server.adminKey);
  const t0 = monotonicMs();
  await admin('mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }', {
    id: fixture.tokenId,
  });
  const deadline = Date.now() + 30_000;
  let seen = await Promise.all(workers.map((w) => w.closures(30_000)));
  const count = (key: 'errorAt' | 'closedAt') => seen.reduce((sum, c) => sum + c[key].length, 0);
  while ((count('errorAt') < n || count('closedAt') < n) && Date.now() < deadline) {
    await sleep(100);
    seen = await Promise.all(workers.map((w) => w.closures(30_000)));
  }
  const delays = (key: 'errorAt' | 'closedAt') =>
    seen.flatMap((c) => c[key].map((at) => at - t0)).sort((x, y) => x - y);
  const errors = delays('errorAt');
  const closed = delays('closedAt');
  return {
    errors: errors.length,
    closed: closed.length,
    errorP50: percentile(errors, 0.5),
    errorP99: percentile(errors, 0.99),
    closeP50: percentile(closed, 0.5),
    closeP99: percentile(closed, 0.99),
  };
}

async function single(
  n: number,
  webhooks: number,
  log: (line: string) => void,
  notes: string[],
): Promise<SingleRow> {
  log(`subscriptions: ${n} subscribers on one instance`);
  const server = await startBenchServer(serverEnv);
  const workers: SubscriberWorker[] = [];
  let db: pg.Client | undefined;
  const cleanup = cleanupOnce(async () => {
    await db?.end().catch(() => {});
    await disposeAll(workers);
    await server.stop().catch(() => {});
    await server.cleanup();
  });
  try {
    db = await connectDatabase(server);
    const fixture = await prepare(server, db, Math.ceil(webhooks / 2));
    const wsUrl = server.endpoint.replace(/^http/, 'ws');
    await startWorkers(workers, WORKERS, wsUrl, fixture.token);
    await sleep(1000);
    const rssBefore = await server.rss();
    const heapBefore = await metric(server.base, 'nodejs_heap_size_used_bytes');
    const started = monotonicMs();
    await connectAll([{ label: 'gateway', base: server.base, wsUrl, workers }], [n], log);
    const connectS = (monotonicMs() - started) / 1000;
    await sleep(2000);
    const rssAfter = await server.rss();
    const heapAfter = await metric(server.base, 'nodejs_heap_size_used_bytes');
    const open = await metric(server.base, 'gateway_subscriptions_open');
    log(
      `  connected in ${fmt(connectS)} s; RSS ${mb(rssBefore)} → ${mb(rssAfter)} MB; ${webhooks} webhooks…`,
    );
    const clientCpu = async () => {
      const reports = await Promise.all(workers.map((w) => w.report(30_000)));
      return { reports, ms: reports.reduce((sum, r) => sum + r.cpuMs, 0) };
    };
    const cpuBefore = {
      server: processCpuMs(server.pid),
      postgres: await backendCpuMs(db),
      clients: (await clientCpu()).ms,
    };
    const phaseStart = monotonicMs();
    const { sent, postP50 } = await postWebhooks(
      server.base,
      fixture,
      webhooks,
      workers,
      15_000 + 3 * n,
      notes,
    );
    const phaseMs = monotonicMs() - phaseStart;
    const { reports, ms: clientsAfter } = await clientCpu();
    const deliveries = Math.max(1, sent.size * n);
    const cpuUs = {
      server: ((processCpuMs(server.pid) - cpuBefore.server) * 1000) / deliveries,
      postgres: ((await backendCpuMs(db, cpuBefore.postgres.byPid)).ms * 1000) / deliveries,
      clients: ((clientsAfter - cpuBefore.clients) * 1000) / deliveries,
    };
    const latency = latencies(sent, reports);
    log(
      `  p50 ${fmt(latency.p50)} ms, p99 ${fmt(latency.p99)} ms, ${latency.received}/${latency.expected}`,
    );
    for (const report of reports) {
      if (report.errors)
        notes.push(`N=${n}: a worker saw ${report.errors} errors, e.g. ${report.lastError}`);
    }
    if (server.errorLines() > 0)
      notes.push(`N=${n}: the server logged ${server.errorLines()} error lines`);
    const revocation = await revokeAll(server, fixture, workers, n);
    log(
      `  revoked: error p50 ${fmt(revocation.errorP50)} / p99 ${fmt(revocation.errorP99)} ms, close p50 ${fmt(revocation.closeP50)} / p99 ${fmt(revocation.closeP99)} ms`,
    );
    return {
      revocation,
      n,
      connectS,
      rssBefore,
      rssAfter,
      heapBefore,
      heapAfter,
      open,
      webhooks: sent.size,
      postP50,
      latency,
      clientRss: reports.reduce((sum, r) => sum + r.rss, 0),
      errors: reports.reduce((sum, r) => sum + r.errors, 0),
      cpuUs,
      wallPerWebhookMs: phaseMs / Math.max(1, sent.size),
    };
  } finally {
    await cleanup();
  }
}

interface PairRow {
  label: string;
  subscribers: number;
  open: number;
  latency: Latency;
}

async function pair(
  n: number,
  webhooks: number,
  log: (line: string) => void,
  notes: string[],
): Promise<{ rows: PairRow[]; postP50: number; webhooks: number }> {
  log(`subscriptions: ${n} subscribers split over two instances`);
  const a = await startBenchServer(serverEnv);
  let b: Instance | undefined;
  const groups: Group[] = [];
  let db: pg.Client | undefined;
  const cleanup = cleanupOnce(async () => {
    await db?.end().catch(() => {});
    await disposeAll(groups.flatMap((g) => g.workers));
    await b?.stop().catch(() => {});
    await a.stop().catch(() => {});
    await a.cleanup();
  });
  try {
    db = await connectDatabase(a);
    const fixture = await prepare(a, db, Math.ceil(webhooks / 2));
    b = await startInstance(a.databaseUrl, serverEnv);
    for (const [label, base, endpoint] of [
      ['A (receives the webhooks)', a.base, a.endpoint],
      ['B (through LISTEN/NOTIFY)', b.base, b.endpoint],
    ] as const) {
      const wsUrl = endpoint.replace(/^http/, 'ws');
      const group: Group = { label, base, wsUrl, workers: [] };
      groups.push(group);
      await startWorkers(group.workers, 1, wsUrl, fixture.token);
    }
    const half = Math.floor(n / 2);
    await connectAll(groups, [half, n - half], log);
    await sleep(2000);
    const all = groups.flatMap((g) => g.workers);
    const { sent, postP50 } = await postWebhooks(
      a.base,
      fixture,
      webhooks,
      all,
      15_000 + 3 * n,
      notes,
    );
    const rows: PairRow[] = [];
    for (const group of groups) {
      const reports = await Promise.all(group.workers.map((w) => w.report(30_000)));
      const subscribers = group.workers.reduce((sum, w) => sum + w.count, 0);
      rows.push({
        label: group.label,
        subscribers,
        open: await metric(group.base, 'gateway_subscriptions_open'),
        latency: latencies(sent, reports),
      });
      for (const report of reports) {
        if (report.errors)
          notes.push(`${group.label}: ${report.errors} errors, e.g. ${report.lastError}`);
      }
    }
    for (const row of rows)
      log(`  ${row.label}: p50 ${fmt(row.latency.p50)} ms, p99 ${fmt(row.latency.p99)} ms`);
    if (a.errorLines() + b.errorLines() > 0) {
      notes.push(
        `two instances: the servers logged ${a.errorLines() + b.errorLines()} error lines`,
      );
    }
    return { rows, postP50, webhooks: sent.size };
  } finally {
    await cleanup();
  }
}

export async function benchSubscriptions(
  options: SubscriptionsOptions,
): Promise<{ markdown: string }> {
  const { quick, log } = options;
  const sizes = options.sizes ?? (quick ? [200, 1000] : [1000, 5000, 10_000]);
  // Each webhook costs about N × 0.4 ms here; 10 at 10,000 still give 100,000 deliveries.
  const webhooksFor = (n: number) => options.webhooks ?? (quick || n >= 10_000 ? 10 : 20);
  const pairN = options.pairSubscribers ?? (quick ? 200 : 1000);
  const notes: string[] = [];
  const startedAt = monotonicMs();
  const singles: SingleRow[] = [];
  for (const n of sizes) singles.push(await single(n, webhooksFor(n), log, notes));
  const two = await pair(pairN, webhooksFor(pairN), log, notes);
  const seconds = (monotonicMs() - startedAt) / 1000;

  const singleRows = singles.map((r) => {
    const l = r.latency;
    const received = `${l.received} / ${l.expected}${l.extra ? ` (+${l.extra} extra)` : ''}`;
    return `| ${r.n} | ${fmt(r.connectS)} | ${mb(r.rssBefore)} | ${mb(r.rssAfter)} | ${fmt((r.rssAfter - r.rssBefore) / r.n / 1024)} | ${fmt((r.heapAfter - r.heapBefore) / r.n / 1024)} | ${r.open} | ${r.webhooks} | ${received} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.firstP50)} | ${fmt(l.lastP50)} | ${fmt(r.postP50)} |`;
  });
  const pairRows = two.rows.map((r) => {
    const l = r.latency;
    const received = `${l.received} / ${l.expected}${l.extra ? ` (+${l.extra} extra)` : ''}`;
    return `| ${r.label} | ${r.subscribers} | ${r.open} | ${received} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.firstP50)} | ${fmt(l.lastP50)} |`;
  });
  const cpuRows = singles.map(
    (r) =>
      `| ${r.n} | ${fmt(r.cpuUs.server)} | ${fmt(r.cpuUs.postgres)} | ${fmt(r.cpuUs.clients)} | ${fmt(r.wallPerWebhookMs, 0)} |`,
  );
  const revocationRows = singles.map((r) => {
    const v = r.revocation;
    return `| ${r.n} | ${v.errors} / ${r.n} | ${fmt(v.errorP50)} | ${fmt(v.errorP99)} | ${v.closed} / ${r.n} | ${fmt(v.closeP50)} | ${fmt(v.closeP99)} |`;
  });
  const clientKib = singles
    .map((r) => `${r.n}: ${fmt(r.clientRss / r.n / 1024, 0)} KiB`)
    .join(', ');

  const markdown = `## Subscriptions

Issue 7, part 3 (bench/subscriptions.ts${quick ? ', `--quick`' : ''}; ${fmt(seconds, 0)} s on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}).

- Server: one \`src/main.ts\` process per row on its own scratch database, Node ${process.version}, \`NODE_ENV=production\`, \`WHATSAPP_MODE=cloud\`, \`DISPATCHER=off\`, rate limits off.
- Subscribers: N graphql-ws clients (\`graphql-ws\` createClient + \`ws\`, one socket each, one API token with \`messages.send_text\`) in ${WORKERS} child processes, connected ${BATCH} at a time, each batch confirmed live by \`gateway_subscriptions_open\` before the next. Each runs \`messageStatusChanged { status message { id } }\` **with no filter** (every message of the tenant), so one webhook reaches all N.
- Events: per run, K signed Meta status webhooks (\`X-Hub-Signature-256\`; K in the tables) POSTed to \`/webhooks/whatsapp\` one at a time, \`delivered\` then \`read\` for each of K/2 messages inserted in SQL as the dispatcher leaves them (SENT, with a wamid); each POST changes a status, so each is a fresh event. The next POST waits until every subscriber has the previous event.
- Latency: from just before the POST to the subscriber's \`next\` callback, over every (webhook, subscriber) pair. Both ends read \`process.hrtime\` (CLOCK_MONOTONIC, one clock for all processes on Linux), so times from the worker processes and the POSTing process compare directly. It includes the client processes' own work: they parse N frames per event on the same 2 cores as the server and PostgreSQL.
- Memory: the server's RSS (/proc) before connecting and 2 s after the last subscription is live, with no forced GC; heap is \`nodejs_heap_size_used_bytes\` from /metrics, same moments. Both move with GC timing, so the per-subscriber figures are noisy at small N; the larger N are the ones to read. Client processes' RSS per subscriber, for scale: ${clientKib}.
- File descriptors: \`ulimit -n\` is ${openFilesLimit()} here (per process); the server holds N sockets, each worker N/${WORKERS}.

### One instance

| subscribers | connect s | RSS before MB | RSS after MB | KiB RSS / subscriber | KiB heap / subscriber | subscriptions open | webhooks | events received / expected | p50 ms | p99 ms | first subscriber p50 ms | last subscriber p50 ms | POST p50 ms |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${singleRows.join('\n')}

"First/last subscriber": per webhook, the earliest and latest arrival among the N; their medians over the webhooks. The spread between them is the fan-out. "POST": until the webhook's 200 (the status is committed and NOTIFY sent).

Where the time goes, during the webhooks: CPU time per delivered event (one event at one subscriber), from /proc for the server and the PostgreSQL backends of its database, from \`process.cpuUsage\` for the client processes; and the wall time per webhook (POST to the last subscriber).

| subscribers | server CPU µs / delivery | PostgreSQL CPU µs / delivery | clients CPU µs / delivery | wall ms / webhook |
| ---: | ---: | ---: | ---: | ---: |
${cpuRows.join('\n')}

Subscribers with the same document, variables and abilities (here all N) share one execution per event (src/subscriptions/shared-execution.ts): the event's message is loaded, the selection executed and the result serialised once, and each subscriber's graphql-ws \`next\` frame is written straight to its socket. What still grows with N is one frame written per socket (and the clients' parsing).

Revocation: after the webhooks, the subscribers' token (one for all N) is revoked through the admin API (\`revokeApiToken\`); from just before that request to each subscriber's UNAUTHENTICATED error, and to its socket's close (4401; the server closes it 50 ms after the error).

| subscribers | errors received | error p50 ms | error p99 ms | sockets closed | close p50 ms | close p99 ms |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${revocationRows.join('\n')}

### Two instances

Two gateway processes on one database; ${pairN} subscribers, half on each; ${two.webhooks} webhooks go to A, and B learns of each status through PostgreSQL \`LISTEN/NOTIFY\` (src/events.ts). POST p50 ${fmt(two.postP50)} ms.

| instance | subscribers | subscriptions open | events received / expected | p50 ms | p99 ms | first subscriber p50 ms | last subscriber p50 ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${pairRows.join('\n')}
${notes.length ? `\n${notes.map((n) => `- **Note:** ${n}`).join('\n')}\n` : ''}`;
  return { markdown };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A closed pipe (e.g. `| head`) must not kill the run before it cleans up.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping the servers and dropping the scratch databases…\n`);
      const timer = setTimeout(() => process.exit(1), 60_000);
      void Promise.allSettled([...inProgress].map((cleanup) => cleanup())).then(() => {
        clearTimeout(timer);
        process.exit(130);
      });
    });
  }
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = option('sizes')?.split(',').map(Number);
  const webhooks = option('webhooks');
  const pairSubscribers = option('pair');
  const { markdown } = await benchSubscriptions({
    quick: args.includes('--quick'),
    ...(sizes && { sizes }),
    ...(webhooks && { webhooks: Number(webhooks) }),
    ...(pairSubscribers && { pairSubscribers: Number(pairSubscribers) }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${markdown}\n`);
}
