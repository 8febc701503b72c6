import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { sign } from '../src/webhooks/signature.js';
import { backendCpuMs, processCpuMs } from './lib/cpu.js';
import { gqlClient } from './lib/seed.js';
import { seedSentMessages } from './lib/seed-sql.js';
import { startBenchServer, type BenchServer } from './lib/server.js';

/**
 * Issue 14: status webhooks applied per second. `benchIngest` returns the "## Status webhooks"
 * section of bench/RESULTS.md; `npx tsx bench/ingest.ts [--quick] [--concurrency=N]` prints it
 * (exit 1 when a check failed).
 *
 * One gateway process (`src/main.ts`, cloud mode, dispatcher off) on a scratch database. For each
 * batch size (1, 10 and 100 statuses per POST, as Meta batches them), M messages are seeded SENT
 * with wamids in SQL, then signed webhooks (X-Hub-Signature-256 with the server's app secret) are
 * POSTed over keep-alive connections: first every message's `delivered`, then every message's
 * `read` (Meta's order; within a pass the POSTs race each other). Two kinds of load: closed (N
 * concurrent clients, each POSTing as soon as its previous answer arrives: the most the server
 * takes, and latency when it is saturated), and paced (POSTs started on a fixed schedule, whatever
 * the answers: 100 per POST at the goal of 5,000 statuses/s, the latency a steady campaign sees).
 * Bodies and signatures are built before the clock starts. Measured: statuses per second over
 * both passes (first POST sent → last answer), and each POST's latency (request → answer read).
 * A warm-up run of the same shape precedes each measured one.
 *
 * Checks (any failure is listed): every POST answered 200 with every status applied; afterwards,
 * in SQL, every message is READ with exactly one history row for each of QUEUED, SENT, DELIVERED
 * and READ (nothing lost, nothing applied twice); the server logged no errors.
 */
export interface IngestOptions {
  quick: boolean;
  log: (line: string) => void;
  /** Concurrent POSTs of the closed runs (default 8). */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;
/** The paced run: the issue's goal, in POSTs of 100. */
const PACED = { batch: 100, statusesPerSecond: 5000 };

/** Closed: this many clients POST back to back. Paced: a POST starts every 1/perSecond s. */
type Load = { concurrency: number } | { postsPerSecond: number };
const describe = (load: Load) =>
  'concurrency' in load
    ? `${load.concurrency} concurrent`
    : `paced at ${load.postsPerSecond} POSTs/s`;
const PHONE_NUMBER_ID = `1${String(Date.now()).slice(-14)}`;
const WABA_ID = '102290129340398';

interface Run {
  batch: number;
  load: string;
  messages: number;
  statuses: number;
  posts: number;
  seconds: number;
  statusesPerSecond: number;
  p50: number;
  p99: number;
  /** Server process CPU and PostgreSQL backend CPU per status, ms. */
  serverCpuMs: number;
  databaseCpuMs: number;
  problems: string[];
}

export async function benchIngest(
  options: IngestOptions,
): Promise<{ markdown: string; problems: string[] }> {
  const { quick, log } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const closed = { concurrency };
  const paced = { postsPerSecond: PACED.statusesPerSecond / PACED.batch };
  /** Each run: statuses per POST, messages (two statuses each), load. */
  const plan: { batch: number; messages: number; load: Load }[] = [
    { batch: 1, messages: quick ? 1000 : 3000, load: closed },
    { batch: 10, messages: quick ? 3000 : 10_000, load: closed },
    { batch: 100, messages: quick ? 5000 : 20_000, load: closed },
    { batch: PACED.batch, messages: quick ? 5000 : 20_000, load: paced },
  ];
  const warmup = (messages: number) => Math.max(200, Math.round(messages / 5));

  const appSecret = randomBytes(16).toString('hex');
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DISPATCHER: 'off',
    WHATSAPP_MODE: 'cloud',
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    RATE_LIMIT_BUCKET_SIZE: '1000000000',
    RATE_LIMIT_RESTORE_RATE: '1000000000',
  };
  const loadBefore = os.loadavg()[0]!;
  const server = await startBenchServer(env);
  const db = new pg.Client({ connectionString: server.databaseUrl });
  const runs: Run[] = [];
  try {
    await db.connect();
    await gqlClient(server.endpoint, server.adminKey)(
      `mutation($input: SetWhatsAppConnectionInput!) {
         setWhatsAppConnection(input: $input) { whatsAppConnection { connected } } }`,
      {
        input: {
          phoneNumberId: PHONE_NUMBER_ID,
          wabaId: WABA_ID,
          accessToken: `EAAG${randomBytes(24).toString('hex')}`,
        },
      },
    );
    const url = `${server.base}/webhooks/whatsapp`;
    for (const { batch, messages, load } of plan) {
      const shape = { db, server, url, appSecret, batch, load };
      log(`ingest: ${batch} per POST, ${describe(load)}, warm-up (${warmup(messages)} messages)…`);
      await ingestRun({ ...shape, count: warmup(messages) });
      log(`ingest: ${batch} per POST, ${describe(load)}, ${messages} messages × 2 statuses…`);
      const run = await ingestRun({ ...shape, count: messages });
      for (const problem of run.problems) log(`CHECK FAILED: ${problem}`);
      log(
        `ingest: ${batch} per POST, ${run.load}: ${Math.round(run.statusesPerSecond)} statuses/s, POST p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, server CPU ${run.serverCpuMs.toFixed(3)} ms/status, PostgreSQL ${run.databaseCpuMs.toFixed(3)} ms/status`,
      );
      runs.push(run);
    }
    if (server.errorLines() > 0) {
      runs.at(-1)!.problems.push(`the server logged ${server.errorLines()} errors`);
    }
  } finally {
    await db.end().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await server.cleanup();
  }

  const problems = runs.flatMap((r) =>
    r.problems.map((p) => `${r.batch} per POST, ${r.load}: ${p}`),
  );
  const fmt = (n: number, digits = 0) =>
    Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
  const markdown = `## Status webhooks${quick ? ' (quick)' : ''}

Signed status webhooks (Meta's payload, X-Hub-Signature-256) POSTed to \`/webhooks/whatsapp\` of one gateway process
(Node ${process.versions.node}, dispatcher off), for messages seeded SENT: every message's \`delivered\`, then every
message's \`read\`. Load: N concurrent clients POSTing back to back (the most it takes), or POSTs started on a fixed
schedule whatever the answers (paced: 100 per POST at the goal, 5,000 statuses/s). Statuses/s over both passes (first POST
→ last answer); latency per POST (request → answer).
CPU: the server process's own, and its PostgreSQL backends', per status. Load average before: ${loadBefore.toFixed(2)}.
Checked afterwards in SQL: every message READ, with exactly one history row each for QUEUED, SENT, DELIVERED and READ.

| statuses per POST | load | messages | statuses | statuses/s | POSTs/s | p50 ms | p99 ms | server CPU ms/status | PostgreSQL CPU ms/status | check |
| ----------------: | ---- | -------: | -------: | ---------: | ------: | -----: | -----: | -------------------: | -----------------------: | ----- |
${runs
  .map(
    (r) =>
      `| ${r.batch} | ${r.load} | ${fmt(r.messages)} | ${fmt(r.statuses)} | ${fmt(r.statusesPerSecond)} | ${fmt(r.posts / r.seconds)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.serverCpuMs, 3)} | ${fmt(r.databaseCpuMs, 3)} | ${r.problems.length ? 'FAILED' : 'ok'} |`,
  )
  .join('\n')}
${problems.length ? `\n**Checks failed:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''}`;
  return { markdown, problems };
}

/** Seeds `count` SENT messages, posts their statuses `batch` per POST, and checks the outcome. */
async function ingestRun(o: {
  db: pg.Client;
  server: BenchServer;
  url: string;
  appSecret: string;
  batch: number;
  count: number;
  load: Load;
}): Promise<Run> {
  const label = `ingest-${o.batch}-${randomBytes(4).toString('hex')}`;
  const rows = await seedSentMessages(o.db, o.count, label);
  const wamids = rows.map((r) => r.wamid);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const pass = (status: string) => {
    const bodies: { raw: string; signature: string; statuses: number }[] = [];
    for (let i = 0; i < wamids.length; i += o.batch) {
      const raw = JSON.stringify(
        statusPayload(wamids.slice(i, i + o.batch).map((id) => ({ id, status, timestamp }))),
      );
      bodies.push({
        raw,
        signature: sign(raw, o.appSecret),
        statuses: Math.min(o.batch, wamids.length - i),
      });
    }
    return bodies;
  };
  const passes = [pass('delivered'), pass('read')];

  const latencies: number[] = [];
  const problems: string[] = [];
  let applied = 0;
  let refused = 0;
  const cpuBefore = processCpuMs(o.server.pid);
  const backendsBefore = await backendCpuMs(o.db);
  const started = performance.now();
  const postOne = async (body: (typeof passes)[number][number]) => {
    const sent = performance.now();
    const response = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': body.signature },
      body: body.raw,
    });
    const answer = (await response.json()) as { applied?: number };
    latencies.push(performance.now() - sent);
    if (response.status !== 200) refused += 1;
    applied += answer.applied ?? 0;
  };
  const { load } = o;
  for (const bodies of passes) {
    if ('concurrency' in load) {
      let next = 0;
      const client = async () => {
        while (next < bodies.length) await postOne(bodies[next++]!);
      };
      await Promise.all(Array.from({ length: load.concurrency }, client));
    } else {
      const start = performance.now();
      const inFlight: Promise<void>[] = [];
      for (const [i, body] of bodies.entries()) {
        const due = start + (i * 1000) / load.postsPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(postOne(body));
      }
      await Promise.all(inFlight);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const serverCpu = processCpuMs(o.server.pid) - cpuBefore;
  const backendCpu = (await backendCpuMs(o.db, backendsBefore.byPid)).ms;

  const statuses = wamids.length * 2;
  if (refused > 0) problems.push(`${refused} POSTs answered other than 200`);
  if (applied !== statuses) problems.push(`${applied} of ${statuses} statuses applied`);
  const { rows: verdict } = await o.db.query<{
    messages: number;
    not_read: number;
    wrong_history: number;
  }>(
    `SELECT count(*)::int AS messages,
            count(*) FILTER (WHERE m.status <> 'READ')::int AS not_read,
            count(*) FILTER (WHERE h.statuses IS DISTINCT FROM 'QUEUED,SENT,DELIVERED,READ')::int
              AS wrong_history
       FROM messages m
       LEFT JOIN LATERAL (
         SELECT string_agg(e.status, ',' ORDER BY e.id) AS statuses
           FROM message_status_events e
          WHERE e.tenant_id = m.tenant_id AND e.message_id = m.id
       ) h ON true
      WHERE m.idempotency_key LIKE $1 || '-%'`,
    [label],
  );
  const v = verdict[0]!;
  if (v.messages !== wamids.length) problems.push(`${v.messages}/${wamids.length} messages found`);
  if (v.not_read > 0) problems.push(`${v.not_read} messages not READ`);
  if (v.wrong_history > 0) {
    problems.push(`${v.wrong_history} messages without exactly QUEUED, SENT, DELIVERED, READ`);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    batch: o.batch,
    load: describe(o.load),
    messages: wamids.length,
    statuses,
    posts: latencies.length,
    seconds,
    statusesPerSecond: statuses / seconds,
    p50: at(0.5),
    p99: at(0.99),
    serverCpuMs: serverCpu / statuses,
    databaseCpuMs: backendCpu / statuses,
    problems,
  };
}

/** Meta's webhook payload: one entry, one change, these statuses. */
function statusPayload(statuses: { id: string; status: string; timestamp: string }[]) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              statuses: statuses.map((s) => ({ ...s, recipient_id: '447700900123' })),
            },
          },
        ],
      },
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const concurrency = process.argv.find((a) => a.startsWith('--concurrency='));
  const { markdown, problems } = await benchIngest({
    quick: process.argv.includes('--quick'),
    log,
    ...(concurrency && { concurrency: Number(concurrency.slice('--concurrency='.length)) }),
  });
  process.stdout.write(markdown);
  log(`ingest benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = problems.length ? 1 : 0;
}
