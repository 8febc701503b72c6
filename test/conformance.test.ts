import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditResult, serverAudits } from 'graphql-http';
import { startTestApp, type TestApp } from './helpers/test-app.js';

/**
 * GraphQL over HTTP conformance: graphql-http's server audits against the real endpoint
 * (`POST`/`GET /api/v1/<tenant>/graphql`) of a running server, as an API token with every ability.
 *
 * The token goes on every audit request: authentication is checked before a request's document is
 * run, so without it every audit would meet 401 UNAUTHENTICATED. The same header also satisfies
 * the CSRF prevention (a `GET` or form `POST` needs `Authorization` or `x-graphql-yoga-csrf`), so
 * that product rule needs no exception either.
 *
 * Every MUST and SHOULD audit must pass, except those named in SHOULD_EXCEPTIONS with the reason.
 * A MAY audit may fail; failures are printed, not fatal.
 */
const SHOULD_EXCEPTIONS: Record<string, string> = {
  // None: every SHOULD audit passes. An audit that cannot pass because of a deliberate product
  // rule goes here as `id: 'reason'`; it is then expected to fail, so a fix shows up.
};

let t: TestApp;
let endpoint = '';
let token = '';

beforeAll(async () => {
  t = await startTestApp();
  const tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
  endpoint = `${t.url}/api/v1/${tenant.subdomain}/graphql`;
});
afterAll(() => t?.stop());

/** fetch with the API token on every request, whatever headers the audit sets. */
const fetchWithToken: typeof fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const audits = serverAudits({ url: () => endpoint, fetchFn: fetchWithToken });
const results: { level: string; result: AuditResult }[] = [];

function describeFailure(result: AuditResult): string {
  if (result.status === 'ok') return 'ok';
  const { status, statusText } = result.response;
  return `${result.reason} (HTTP ${status} ${statusText})`;
}

describe('GraphQL over HTTP server audits (graphql-http)', () => {
  for (const audit of audits) {
    const level = audit.name.split(' ')[0]!;
    const exception = SHOULD_EXCEPTIONS[audit.id];
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      results.push({ level, result });
      if (level === 'MAY') {
        if (result.status !== 'ok')
          console.warn(`MAY ${audit.id} fails: ${describeFailure(result)}`);
        return;
      }
      if (exception) {
        expect(result.status, `${audit.id} is an exception (${exception}) but passes`).not.toBe(
          'ok',
        );
        return;
      }
      expect(result.status, describeFailure(result)).toBe('ok');
    });
  }

  it('covers every audit, and reports the counts', () => {
    expect(results).toHaveLength(audits.length);
    const count = (level: string, ok: boolean) =>
      results.filter((r) => r.level === level && (r.result.status === 'ok') === ok).length;
    const summary = ['MUST', 'SHOULD', 'MAY'].map(
      (level) => `${level}: ${count(level, true)} passed, ${count(level, false)} failed`,
    );
    console.info(`graphql-http audits (${audits.length}): ${summary.join('; ')}`);
    expect(count('MUST', false)).toBe(0);
    expect(count('SHOULD', false)).toBe(Object.keys(SHOULD_EXCEPTIONS).length);
  });
});
