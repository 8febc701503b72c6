import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startBenchServer } from './lib/server.js';
import { BENCH_ABILITIES, gqlClient } from './lib/seed.js';
import { seedSql } from './lib/seed-sql.js';
import { GATEWAY_QUERIES } from './lib/queries.js';

/**
 * `npm run bench:profile -- [flat|nested] [seconds]`: the gateway under autocannon load (50
 * connections) on the read benchmark's data, with V8's CPU profiler on; prints req/s and the
 * functions with the most self time, and leaves the .cpuprofile (open it in Chrome DevTools) in a
 * temporary folder it names.
 */
const kind = (process.argv[2] ?? 'nested') as keyof typeof GATEWAY_QUERIES;
const seconds = Number(process.argv[3] ?? 10);
if (!(kind in GATEWAY_QUERIES)) throw new Error(`unknown query ${kind}: flat, nested or groups`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-profile-'));
process.env.BENCH_CPU_PROF = dir;
const server = await startBenchServer({
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  DISPATCHER: 'off',
  RATE_LIMIT_BUCKET_SIZE: '1000000000',
  RATE_LIMIT_RESTORE_RATE: '1000000000',
  // As bench/compare.ts: the groups read (20 groups × 20 contacts) costs 1,261, over the default.
  QUERY_MAX_COST: '2000',
});
try {
  await seedSql(server.databaseUrl);
  const created = await gqlClient(server.endpoint, server.adminKey)(
    'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { name: 'bench-profile', abilities: BENCH_ABILITIES } },
  );
  const result = await autocannon({
    url: server.endpoint,
    connections: 50,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${created.createApiToken.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          query:
            kind === 'groups'
              ? GATEWAY_QUERIES.groups(20, 20)
              : GATEWAY_QUERIES[kind](kind === 'flat' ? 20 : 100),
        }),
      },
    ],
  });
  process.stdout.write(
    `${kind}: ${Math.round(result.requests.mean)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors + result.non2xx}\n`,
  );
  await server.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  printTop(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), 40);
  process.stdout.write(`profile: ${path.join(dir, file)}\n`);
} finally {
  await server.cleanup();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time by function (summed over the profile's nodes), and by package. */
function printTop(profile: { nodes: ProfileNode[] }, count: number): void {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/src\//, 'src/');
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const pkg = url.includes('node_modules/')
      ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')
      : url.includes('/src/')
        ? 'src'
        : url || functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write('\nself time by package:\n');
  for (const [key, hits] of top(byPackage, 15)) process.stdout.write(`${pct(hits)}  ${key}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [key, hits] of top(byFunction, count)) process.stdout.write(`${pct(hits)}  ${key}\n`);
}
