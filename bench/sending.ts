import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { FakeWhatsApp } from '../test/helpers/fake-whatsapp.js';
import { backendCpuMs, processCpuMs } from './lib/cpu.js';
import { startDispatcher, type DispatcherProcess } from './lib/dispatcher-process.js';
import { sendLoad, type SendLoadResult } from './lib/send-load.js';
import { gqlClient } from './lib/seed.js';
import { startBenchServer, type BenchServer } from './lib/server.js';

/**
 * Issue 7, part 4: sending. `benchSending` returns the "## Sending" section of bench/RESULTS.md;
 * `npx tsx bench/sending.ts [--quick]` prints it (exit 1 when a check failed).
 *
 * 1. Accepted sends per second: autocannon posts distinct `sendTextMessage` mutations to a gateway
 *    process with DISPATCHER=off (only the outbox insert), and the stored QUEUED rows are compared
 *    one for one with the accepted responses.
 * 2. Dispatch rate: M messages are queued through the API and held (next_attempt_at in the future,
 *    set in SQL), then released once 1 or 2 `src/dispatcher-main.ts` processes are up, so every
 *    dispatcher starts on the same queue and process start-up is not timed. Rate = M / (first send
 *    the fake receives → last sent_at). The loopback Cloud API fake (test/helpers/fake-whatsapp.ts,
 *    its status webhooks off) must receive each message exactly once, and every row must carry the
 *    wamid the fake gave for it. Repeated with the fake answering after 100 ms, as Meta might.
 * 3. End to end: the same sends to a gateway with its in-process dispatcher on.
 *
 * Everything is on 127.0.0.1, every wait is bounded, and every process and scratch database is
 * gone when it returns or throws. Checks that fail are listed in the section and in `problems`;
 * infrastructure failures (a process that does not start, a queue that does not drain) throw.
 */
export interface SendingOptions {
  quick: boolean;
  log: (line: string) => void;
  /** 'accept': part 1 alone, on a gateway of its own (`--only=accept`). */
  only?: 'accept' | 'dispatch';
}

const CONNECTIONS = 50;
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
/** The dispatcher's defaults: DISPATCH_BATCH_SIZE and DISPATCH_CONCURRENCY (src/config.ts). */
const DISPATCHER_DEFAULTS = { batchSize: 100, concurrency: 300, pollMs: 200 };
const SLOW_ANSWER_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sizes {
  /** Sends before the measured accept run. */
  warmup: number;
  /** Bound on a run that queues `queued` sends. */
  acceptMaxSeconds: number;
  queued: number;
  slowQueued: number;
  e2eSeconds: number;
  drainSeconds: number;
}

interface DispatchFigures {
  label: string;
  dispatchers: number;
  messages: number;
  /** Messages per second, first send received → last sent_at. */
  rate: number;
  /** Release → last sent_at, seconds. */
  drainSeconds: number;
  verdict: Verdict;
  /** Send requests the fake received (accepted or not) beyond one per message. */
  extraAttempts: number;
}

export async function benchSending(
  options: SendingOptions,
): Promise<{ markdown: string; problems: string[] }> {
  const { quick, log } = options;
  const sizes: Sizes = quick
    ? {
        warmup: 200,
        acceptMaxSeconds: 60,
        queued: 500,
        slowQueued: 500,
        e2eSeconds: 3,
        drainSeconds: 60,
      }
    : {
        warmup: 500,
        acceptMaxSeconds: 150,
        queued: 4000,
        // As many as the other runs: at 100 ms an answer and 300 sends in flight, 500 messages
        // took about a second, most of it opening sockets to the fake, not the steady rate.
        slowQueued: 4000,
        e2eSeconds: 6,
        drainSeconds: 120,
      };
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) {
      problems.push(problem);
      log(`CHECK FAILED: ${problem}`);
    }
    return ok;
  };

  const appSecret = randomBytes(16).toString('hex');
  const accessToken = `EAAG${randomBytes(30).toString('hex')}`;
  const fake = new FakeWhatsApp(appSecret);
  // No status webhooks: the figure is the dispatcher's alone (webhooks would load the same cores).
  fake.autoStatuses = null;
  fake.accessTokens.add(accessToken);
  const graphUrl = await fake.start();
  const cloudEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    WHATSAPP_MODE: 'cloud',
    WHATSAPP_GRAPH_URL: graphUrl,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_VERIFY_TOKEN: randomBytes(8).toString('hex'),
    // Shared by the server, which encrypts the access token, and the dispatchers, which decrypt it.
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  const gatewayEnv = {
    ...cloudEnv,
    RATE_LIMIT_BUCKET_SIZE: '1000000000',
    RATE_LIMIT_RESTORE_RATE: '1000000000',
    SEND_RATE_LIMIT_MPS: '1000000',
  };

  const loadBefore = os.loadavg()[0]!;
  try {
    if (options.only === 'accept') {
      const accept = await withServer({ ...gatewayEnv, DISPATCHER: 'off' }, async (server, db) => {
        const token = await connectTenant(server, accessToken);
        const target = { base: server.base, path: new URL(server.endpoint).pathname, token };
        const figures = await measureAccept(server, target, db, sizes, check, log);
        check(server.errorLines() === 0, `accept: the server logged ${server.errorLines()} errors`);
        return figures;
      });
      const rows = acceptRows(accept, sizes.warmup);
      const markdown = `## Sending: accepted sends only (--only=accept${quick ? ', quick' : ''})

| what | figure | unit | notes |
| ---- | -----: | ---- | ----- |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
${problems.length ? `\n**Checks failed:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''}`;
      return { markdown, problems };
    }
    const probe = await probeFake(graphUrl, accessToken, quick ? 50 : 200);
    log(
      `Cloud API fake at ${graphUrl}: p50 ${probe.p50.toFixed(2)} ms, p99 ${probe.p99.toFixed(2)} ms`,
    );

    // Parts 1 and 2 share one gateway (DISPATCHER=off): the accept run's sends are the first
    // dispatch run's queue, so only the second dispatch run queues its own through the API.
    const { accept, dispatch } = await withServer(
      { ...gatewayEnv, DISPATCHER: 'off' },
      async (server, db) => {
        const token = await connectTenant(server, accessToken);
        const target = { base: server.base, path: new URL(server.endpoint).pathname, token };

        // 1. Accepted sends per second.
        // Skipped with --only=dispatch: the first dispatch run then queues its own sends.
        const accepted =
          options.only === 'dispatch'
            ? undefined
            : await measureAccept(server, target, db, sizes, check, log);

        // 2. Dispatch rate, with dispatcher processes. They pace each tenant to
        // SEND_RATE_LIMIT_MPS (default 80, Meta's default); the bench measures the dispatcher
        // itself, as for a number at a tier above its rate.
        const dispatcherEnv = {
          ...cloudEnv,
          DATABASE_URL: server.databaseUrl,
          SEND_RATE_LIMIT_MPS: gatewayEnv.SEND_RATE_LIMIT_MPS,
        };
        const figures: DispatchFigures[] = [];
        const runs = [
          {
            label: 'one dispatcher',
            dispatchers: 1,
            count: accepted?.run.accepted ?? sizes.queued,
            answerMs: 0,
          },
          { label: 'two dispatchers', dispatchers: 2, count: sizes.queued, answerMs: 0 },
          {
            label: `one dispatcher, fake answers after ${SLOW_ANSWER_MS} ms`,
            dispatchers: 1,
            count: sizes.slowQueued,
            answerMs: SLOW_ANSWER_MS,
          },
        ];
        let phoneOffset = 2_000_000;
        for (const [i, spec] of runs.entries()) {
          const prefix = `d${i}-`;
          if (i > 0 || !accepted) {
            log(`dispatch (${spec.label}): queueing ${spec.count} through the API…`);
            const queuing = await sendLoad({
              ...target,
              connections: Math.min(CONNECTIONS, spec.count),
              amount: spec.count,
              keyPrefix: prefix,
              phoneOffset,
              maxSeconds: sizes.acceptMaxSeconds,
            });
            phoneOffset += spec.count;
            if (queuing.accepted !== spec.count) {
              throw new Error(
                `dispatch: ${queuing.accepted}/${spec.count} queued, failures ${JSON.stringify(queuing.failures)}`,
              );
            }
            log(
              `dispatch: queued in ${queuing.seconds.toFixed(1)} s (${Math.round(queuing.acceptedPerSecond)}/s)`,
            );
          }
          await db.query(
            `UPDATE messages SET next_attempt_at = now() + interval '1 hour'
              WHERE idempotency_key LIKE $1 AND status = 'QUEUED'`,
            [`${prefix}%`],
          );
          await db.query('VACUUM ANALYZE messages');
          fake.sendDelayMs = spec.answerMs;
          const dispatchers: DispatcherProcess[] = [];
          try {
            const started = await Promise.allSettled(
              Array.from({ length: spec.dispatchers }, () => startDispatcher(dispatcherEnv)),
            );
            for (const s of started) if (s.status === 'fulfilled') dispatchers.push(s.value);
            const failed = started.find((s) => s.status === 'rejected');
            if (failed) throw (failed as PromiseRejectedResult).reason;
            const fromSent = fake.sent.length;
            const fromLog = fake.sendLog.length;
            const released = await db.query(
              `UPDATE messages SET next_attempt_at = now()
                WHERE idempotency_key LIKE $1 AND status = 'QUEUED'`,
              [`${prefix}%`],
            );
            const releasedAt = Date.now();
            check(released.rowCount === spec.count, `dispatch: released ${released.rowCount}`);
            const drained = await drain(db, prefix, spec.count, sizes.drainSeconds, dispatchers);
            if (!drained.done) {
              throw new Error(
                `dispatch (${spec.label}): ${drained.sent}/${spec.count} SENT, ${drained.failed} FAILED after ${sizes.drainSeconds} s`,
              );
            }
            const firstSend = fake.sendLog[fromLog]?.at ?? releasedAt;
            const verdict = await verifySends(db, fake, prefix, fromSent);
            const attempts = fake.sendLog.length - fromLog;
            const figure: DispatchFigures = {
              label: spec.label,
              dispatchers: spec.dispatchers,
              messages: spec.count,
              rate: spec.count / Math.max(0.001, (drained.lastSentAt - firstSend) / 1000),
              drainSeconds: (drained.lastSentAt - releasedAt) / 1000,
              verdict,
              extraAttempts: attempts - spec.count,
            };
            figures.push(figure);
            log(
              `dispatch (${spec.label}): ${spec.count} in ${figure.drainSeconds.toFixed(2)} s = ${Math.round(figure.rate)}/s; ${verdict.summary}`,
            );
            check(drained.failed === 0, `dispatch (${spec.label}): ${drained.failed} FAILED`);
            check(verdict.ok, `dispatch (${spec.label}): ${verdict.summary}`);
            check(
              attempts === spec.count,
              `dispatch (${spec.label}): the fake received ${attempts} send requests for ${spec.count} messages`,
            );
            for (const d of dispatchers) {
              check(d.errorLines() === 0, `dispatch: dispatcher ${d.pid} logged errors`);
            }
          } finally {
            fake.sendDelayMs = 0;
            for (const d of dispatchers) {
              const code = await d.stop();
              check(code === 0, `dispatch: dispatcher ${d.pid} exited with ${code}`);
            }
          }
        }
        check(
          server.errorLines() === 0,
          `accept and dispatch: the server logged ${server.errorLines()} errors`,
        );
        return { accept: accepted, dispatch: figures };
      },
    );
    if (!accept) {
      const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
      const markdown = `## Sending: dispatch only (--only=dispatch${quick ? ', quick' : ''})

| what | figure | unit | notes |
| ---- | -----: | ---- | ----- |
${dispatch.map((d) => `| Dispatch rate, ${d.label} | ${f(d.rate)} | messages/s | ${d.messages} messages, drained in ${f(d.drainSeconds, 2)} s; ${exactlyOnce(d.verdict)} |`).join('\n')}
${problems.length ? `\n**Checks failed:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''}`;
      return { markdown, problems };
    }

    // 3. End to end: accepting and dispatching in the same process.
    const e2e = await withServer({ ...gatewayEnv, DISPATCHER: 'on' }, async (server, db) => {
      const token = await connectTenant(server, accessToken);
      const fromSent = fake.sent.length;
      const amount = clamp(
        Math.round(accept.run.acceptedPerSecond * sizes.e2eSeconds),
        CONNECTIONS * 10,
        50_000,
      );
      log(`end to end: ${amount} sends with the in-process dispatcher on…`);
      const run: SendLoadResult = await sendLoad({
        base: server.base,
        path: new URL(server.endpoint).pathname,
        token,
        connections: CONNECTIONS,
        amount,
        keyPrefix: 'e2e-',
        maxSeconds: sizes.e2eSeconds * 6 + 10,
      });
      const during = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM messages
          WHERE idempotency_key LIKE 'e2e-%' AND sent_at <= to_timestamp($1 / 1000.0)`,
        [run.endedAt],
      );
      const sentDuring = Number(during.rows[0]!.n);
      const drained = await drain(db, 'e2e-', run.accepted, sizes.drainSeconds, []);
      if (!drained.done) {
        throw new Error(`end to end: ${drained.sent}/${run.accepted} SENT after the drain`);
      }
      const verdict = await verifySends(db, fake, 'e2e-', fromSent);
      log(
        `end to end: ${Math.round(run.acceptedPerSecond)} accepted/s, ${Math.round(sentDuring / run.seconds)} sent/s during the load; backlog drained ${((drained.lastSentAt - run.endedAt) / 1000).toFixed(1)} s later; ${verdict.summary}`,
      );
      check(!run.truncated && run.failed === 0, `end to end: ${run.failed} failed sends`);
      check(run.accepted === amount, `end to end: ${run.accepted}/${amount} accepted`);
      check(verdict.ok, `end to end: ${verdict.summary}`);
      check(drained.failed === 0, `end to end: ${drained.failed} FAILED`);
      check(
        server.errorLines() === 0,
        `end to end: the server logged ${server.errorLines()} errors`,
      );
      return {
        run,
        sentDuring,
        backlogAtEnd: run.accepted - sentDuring,
        drainAfterSeconds: Math.max(0, (drained.lastSentAt - run.endedAt) / 1000),
        overallSentPerSecond:
          run.accepted / Math.max(0.001, (drained.lastSentAt - run.startedAt) / 1000),
        verdict,
      };
    });

    const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
    const rows: string[][] = acceptRows(accept, sizes.warmup);
    for (const d of dispatch) {
      rows.push(
        [
          `Dispatch rate, ${d.label}`,
          f(d.rate),
          'messages/s',
          `${d.messages} queued messages, first send received → last SENT`,
        ],
        [`Time to drain, ${d.label}`, f(d.drainSeconds, 2), 's', 'release → last SENT'],
        [
          `Duplicates, ${d.label}`,
          String(d.verdict.duplicates),
          'sends',
          `${exactlyOnce(d.verdict)}; ${d.extraAttempts} send requests beyond one per message`,
        ],
      );
    }
    rows.push(
      [
        'Cloud API fake answer time',
        `${f(probe.p50, 2)} / ${f(probe.p99, 2)}`,
        'ms p50 / p99',
        `${probe.count} sequential sends from this process, idle; the dispatch runs use it as is (0 ms added) except the ${SLOW_ANSWER_MS} ms run`,
      ],
      [
        'End to end, accepted (DISPATCHER=on)',
        f(e2e.run.acceptedPerSecond),
        'sends/s',
        `${e2e.run.accepted} sends, ${CONNECTIONS} connections, p50 ${f(e2e.run.p50, 1)} ms, p99 ${f(e2e.run.p99, 1)} ms, errors ${e2e.run.failed}`,
      ],
      [
        'End to end, sent during the load',
        f(e2e.sentDuring / e2e.run.seconds),
        'messages/s',
        `${e2e.sentDuring} of ${e2e.run.accepted} SENT by the end of the load; the rest drained ${f(e2e.drainAfterSeconds, 1)} s later (${f(e2e.overallSentPerSecond)} messages/s overall); ${exactlyOnce(e2e.verdict)}`,
      ],
    );
    const bound = (concurrency: number, ms: number) => Math.round((concurrency * 1000) / ms);
    const markdown = `## Sending

Issue 7, part 4 (bench/sending.ts${quick ? ', quick' : ''}): accepted sends per second, and the dispatch rate to a
loopback Cloud-API-compatible server (test/helpers/fake-whatsapp.ts, status webhooks off).

| what | figure | unit | notes |
| ---- | -----: | ---- | ----- |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
${problems.length ? `\n**Checks failed:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''}
Config and method:

- Gateway (\`src/main.ts\`, own process, scratch database): NODE_ENV=production, LOG_LEVEL=warn,
  WHATSAPP_MODE=cloud with WHATSAPP_GRAPH_URL at the fake, cost limits off (RATE_LIMIT_BUCKET_SIZE and
  RATE_LIMIT_RESTORE_RATE 10^9) and SEND_RATE_LIMIT_MPS=1000000 (default 80: the tenant's sends a second
  accepted by the mutations, and the pace of each tenant's sends; the dispatchers get it too). Each send has its own
  idempotencyKey and recipient (\`to: { phone }\`, no contact). An API token with \`messages.send_text\`.
- Dispatch: \`src/dispatcher-main.ts\` processes (what \`npm run dispatcher\` runs) on the same database.
  The messages are queued through the API with DISPATCHER=off, held (next_attempt_at an hour ahead, in SQL)
  until every dispatcher has started, then released; start-up is not timed. Dispatcher settings are the
  defaults: DISPATCH_BATCH_SIZE ${DISPATCHER_DEFAULTS.batchSize}, DISPATCH_CONCURRENCY ${DISPATCHER_DEFAULTS.concurrency}, poll ${DISPATCHER_DEFAULTS.pollMs} ms. It claims again while sends are in
  flight, so with an answer time of T ms one dispatcher sends at most ${DISPATCHER_DEFAULTS.concurrency} × 1000 / T a second
  (${bound(DISPATCHER_DEFAULTS.concurrency, SLOW_ANSWER_MS)}/s at ${SLOW_ANSWER_MS} ms). Per claim (one transaction, src/messages/claim.ts) it books the
  tenants' send slots and reads their connections once (decrypting a token only when it changed); per message,
  the HTTP send; the SENT records of the sends answered meanwhile are written together (applyStatuses, one
  transaction). Pool: 10 connections per process.
- End to end: a gateway with DISPATCHER=on (the in-process dispatcher, woken by each accept), ${e2e.run.accepted} sends.
- Machine: ${os.cpus().length} CPUs, 1-minute load average ${f(loadBefore, 1)} at the start and ${f(os.loadavg()[0]!, 1)} at the end
  (other work shares the machine; the figures move with it).
- autocannon, ${CONNECTIONS} connections; the measured runs send a fixed number of requests and wait for every
  answer, so the rows can be matched to the responses. The gateway, the dispatchers, PostgreSQL,
  autocannon and the fake (in the benchmark's process) share the machine.
`;
    return { markdown, problems };
  } finally {
    await fake.stop();
  }
}

/**
 * Part 1: accepted sends per second. A warm-up of a fixed count (deleted afterwards), then the
 * measured run; every accepted response must match one QUEUED row (keys `d0-…`).
 */
async function measureAccept(
  server: BenchServer,
  target: { base: string; path: string; token: string },
  db: pg.Client,
  sizes: Sizes,
  check: (ok: boolean, problem: string) => boolean,
  log: (line: string) => void,
): Promise<AcceptFigures> {
  // A fixed count, every answer awaited: no warm-up send is still being stored when they are
  // deleted (a timed run abandons the sends in flight, which the server may commit later).
  log(`accept: warm-up, ${sizes.warmup} sends…`);
  const warm = await sendLoad({
    ...target,
    connections: CONNECTIONS,
    amount: sizes.warmup,
    keyPrefix: 'warm-',
    maxSeconds: sizes.acceptMaxSeconds,
  });
  const warmStored = await countRows(db, 'warm-');
  check(
    warm.failed === 0 && warm.accepted === sizes.warmup && warmStored.total === warm.accepted,
    `accept warm-up: ${warm.accepted}/${sizes.warmup} accepted, ${warm.failed} failed ${JSON.stringify(warm.failures)}, ${warmStored.total} stored`,
  );
  // Not part of any measured queue.
  await db.query(`DELETE FROM messages WHERE idempotency_key LIKE 'warm-%'`);
  log(`accept: ${sizes.queued} sends…`);
  const serverCpuBefore = processCpuMs(server.pid);
  const backendsBefore = await backendCpuMs(db);
  const run = await sendLoad({
    ...target,
    connections: CONNECTIONS,
    amount: sizes.queued,
    keyPrefix: 'd0-',
    phoneOffset: 1_000_000,
    maxSeconds: sizes.acceptMaxSeconds,
  });
  const serverCpuMs = processCpuMs(server.pid) - serverCpuBefore;
  const postgresCpuMs = (await backendCpuMs(db, backendsBefore.byPid)).ms;
  log(
    `accept: ${run.accepted}/${sizes.queued} accepted in ${run.seconds.toFixed(1)} s = ${Math.round(run.acceptedPerSecond)}/s, p50 ${run.p50} ms, p99 ${run.p99} ms, failures ${JSON.stringify(run.failures)}; CPU ${Math.round((1000 * serverCpuMs) / run.accepted)} µs gateway, ${Math.round((1000 * postgresCpuMs) / run.accepted)} µs PostgreSQL per send`,
  );
  const stored = await db.query<{ id: string; status: string }>(
    `SELECT id, status FROM messages WHERE idempotency_key LIKE 'd0-%'`,
  );
  const apiIds = new Set([...run.ids].map(messageUuid));
  const queued = stored.rows.filter((r) => r.status === 'QUEUED').length;
  const matching = stored.rows.filter((r) => apiIds.has(r.id)).length;
  if (run.truncated) {
    throw new Error(`accept: the run was cut off after ${sizes.acceptMaxSeconds} s`);
  }
  check(run.failed === 0, `accept: ${run.failed} failed sends ${JSON.stringify(run.failures)}`);
  check(
    queued === run.accepted && stored.rows.length === run.accepted && matching === run.accepted,
    `accept: ${run.accepted} accepted responses, ${stored.rows.length} rows stored (${queued} QUEUED, ${matching} matching the returned ids)`,
  );
  return { run, queued, serverCpuMs, postgresCpuMs };
}

interface AcceptFigures {
  run: SendLoadResult;
  /** Rows QUEUED for the run's keys. */
  queued: number;
  /** CPU time during the run of the gateway process, and of its PostgreSQL backends. */
  serverCpuMs: number;
  postgresCpuMs: number;
}

/** Part 1's rows of the table. */
function acceptRows(accept: AcceptFigures, warmup: number): string[][] {
  const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  return [
    [
      'Accepted sends (DISPATCHER=off)',
      f(accept.run.acceptedPerSecond),
      'sends/s',
      `${accept.run.accepted} distinct sendTextMessage, ${CONNECTIONS} connections, ${f(accept.run.seconds, 1)} s after ${warmup} warm-up sends; ${accept.queued} rows QUEUED in the DB, one per accepted response; they are the first dispatch run's queue`,
    ],
    ['Accept latency p50', f(accept.run.p50, 1), 'ms', ''],
    ['Accept latency p99', f(accept.run.p99, 1), 'ms', ''],
    [
      'Accept CPU, gateway / PostgreSQL',
      `${f((1000 * accept.serverCpuMs) / accept.run.accepted)} / ${f((1000 * accept.postgresCpuMs) / accept.run.accepted)}`,
      'µs per accepted send',
      "the gateway process's CPU time during the run, and its PostgreSQL backends' (/proc; 10 ms resolution), over the accepted sends: less noisy than the rate on a shared machine",
    ],
    [
      'Accept errors',
      String(accept.run.failed),
      'responses',
      'non-2xx, GraphQL errors, timeouts, or not QUEUED',
    ],
  ];
}

/** Starts a gateway and a SQL client on its scratch database; stops and drops both afterwards. */
async function withServer<T>(
  env: Record<string, string>,
  body: (server: BenchServer, db: pg.Client) => Promise<T>,
): Promise<T> {
  const server = await startBenchServer(env);
  const db = new pg.Client({ connectionString: server.databaseUrl });
  try {
    await db.connect();
    return await body(server, db);
  } finally {
    await db.end().catch(() => undefined);
    await server.stop();
    await server.cleanup();
  }
}

/** Sets the demo tenant's WhatsApp connection and creates a sending token; returns the token. */
async function connectTenant(server: BenchServer, accessToken: string): Promise<string> {
  const admin = gqlClient(server.endpoint, server.adminKey);
  await admin(
    `mutation($input: SetWhatsAppConnectionInput!) {
       setWhatsAppConnection(input: $input) { whatsAppConnection { connected } } }`,
    { input: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken } },
  );
  const created = await admin(
    'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { name: 'bench-sending', abilities: ['messages.send_text'] } },
  );
  return created.createApiToken.token;
}

async function countRows(db: pg.Client, prefix: string) {
  const { rows } = await db.query<{ total: string }>(
    'SELECT count(*) AS total FROM messages WHERE idempotency_key LIKE $1',
    [`${prefix}%`],
  );
  return { total: Number(rows[0]!.total) };
}

/**
 * Polls (every 100 ms, at most `seconds`) until the `expected` messages of `prefix` have all left
 * QUEUED; throws when a dispatcher process dies meanwhile.
 */
async function drain(
  db: pg.Client,
  prefix: string,
  expected: number,
  seconds: number,
  dispatchers: DispatcherProcess[],
): Promise<{ done: boolean; sent: number; failed: number; lastSentAt: number }> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { rows } = await db.query<{ sent: string; failed: string; last: Date | null }>(
      `SELECT count(*) FILTER (WHERE status IN ('SENT', 'DELIVERED', 'READ')) AS sent,
              count(*) FILTER (WHERE status = 'FAILED') AS failed,
              max(sent_at) AS last
         FROM messages WHERE idempotency_key LIKE $1`,
      [`${prefix}%`],
    );
    const sent = Number(rows[0]!.sent);
    const failed = Number(rows[0]!.failed);
    const lastSentAt = rows[0]!.last?.getTime() ?? Number.NaN;
    const done = sent + failed >= expected;
    if (done || Date.now() > deadline) return { done, sent, failed, lastSentAt };
    const dead = dispatchers.find((d) => d.exited());
    if (dead) throw new Error(`dispatcher ${dead.pid} exited during the run`);
    await sleep(100);
  }
}

interface Verdict {
  ok: boolean;
  /** Sends the fake accepted beyond one per message id. */
  duplicates: number;
  /** Messages the fake never received, ids it received that are not ours, rows without its wamid. */
  missing: number;
  unknown: number;
  wrongWamids: number;
  summary: string;
}

/**
 * Exactly once: the sends the fake accepted since `fromSent` name (in biz_opaque_callback_data)
 * each message of `prefix` once and nothing else, and each row holds the wamid the fake answered.
 */
async function verifySends(
  db: pg.Client,
  fake: FakeWhatsApp,
  prefix: string,
  fromSent: number,
): Promise<Verdict> {
  const sends = fake.sent.slice(fromSent);
  const wamidById = new Map<string, string>();
  for (const s of sends) wamidById.set(String(s.body.biz_opaque_callback_data), s.wamid);
  const { rows } = await db.query<{ id: string; wamid: string | null }>(
    'SELECT id, wamid FROM messages WHERE idempotency_key LIKE $1',
    [`${prefix}%`],
  );
  const ids = new Set(rows.map((r) => r.id));
  const duplicates = sends.length - wamidById.size;
  const missing = rows.filter((r) => !wamidById.has(r.id)).length;
  const unknown = [...wamidById.keys()].filter((id) => !ids.has(id)).length;
  const wrongWamids = rows.filter(
    (r) => wamidById.has(r.id) && r.wamid !== wamidById.get(r.id),
  ).length;
  return {
    ok: duplicates === 0 && missing === 0 && unknown === 0 && wrongWamids === 0,
    duplicates,
    missing,
    unknown,
    wrongWamids,
    summary: `fake received ${sends.length} sends for ${rows.length} messages: ${duplicates} duplicates, ${missing} missing, ${unknown} unknown, ${wrongWamids} wrong wamids`,
  };
}

/** Sequential sends to the fake from this process: its answer time on loopback, idle. */
async function probeFake(graphUrl: string, accessToken: string, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(`${graphUrl}/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '447500000001',
        type: 'text',
        text: { body: 'probe' },
        biz_opaque_callback_data: `probe-${i}`,
      }),
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the fake answered ${response.status}`);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { count, p50: at(0.5), p99: at(0.99) };
}

/** The uuid inside a global id (base64url of "Message:<uuid>", src/ids.ts). */
function messageUuid(globalId: string): string {
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  return text.slice(text.indexOf(':') + 1);
}

/** The exactly-once check, in words. */
function exactlyOnce(v: Verdict): string {
  if (v.ok) {
    return "the fake received every message's id (biz_opaque_callback_data) once, and each row has the fake's wamid";
  }
  return `${v.duplicates} duplicates, ${v.missing} never received, ${v.unknown} unknown ids, ${v.wrongWamids} rows with another wamid`;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { markdown, problems } = await benchSending({
    quick: process.argv.includes('--quick'),
    log,
    ...(process.argv.includes('--only=accept') && { only: 'accept' as const }),
    ...(process.argv.includes('--only=dispatch') && { only: 'dispatch' as const }),
  });
  process.stdout.write(markdown);
  log(`sending benchmark: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = problems.length ? 1 : 0;
}
