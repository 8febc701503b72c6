import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  codes,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';

let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => t.stop());

const endpoint = () => `${t.url}/api/v1/${tenant.subdomain}/graphql`;

/** contacts → edges → node → groups, `cycles` times, then `id`: depth 4 × cycles + 1. */
function nested(cycles: number): string {
  const open = 'contacts { edges { node { groups { '.repeat(cycles);
  return `{ ${open}id${' } } } }'.repeat(cycles)} }`;
}

function expectRefused(res: GraphQLResponse, message: RegExp) {
  expect(res.status).toBe(400);
  expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
  expect(res.body.errors![0]!.message).toMatch(message);
  expect(res.body.data).toBeUndefined();
}

describe('query limits', () => {
  it('runs a normal query', async () => {
    const query = `{ contacts(first: 50) { totalCount pageInfo { hasNextPage }
      edges { node { id firstName status { name } groups { name contacts(first: 2) { totalCount } } } } } }`;
    const res = await t.gql(tenant.subdomain, token, query);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: { contacts: { totalCount: 0, pageInfo: { hasNextPage: false }, edges: [] } },
    });
    // 1 + 50 × (edges 1 + node 1 + status 1 + groups (1 + contacts 1))
    expect(res.cost?.requestedQueryCost).toBe(251);
  });

  it('refuses a query deeper than 12 levels, naming the limit and the depth', async () => {
    const res = await t.gql(tenant.subdomain, token, nested(3)); // depth 13
    expectRefused(res, /depth limit of 12 exceeded, found 13/);
    expect(res.body.errors![0]!.extensions).toMatchObject({ limit: 'depth', maximum: 12 });
  });

  it('refuses more than 30 aliases', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { kind }`).join(' ');
    expectRefused(
      await t.gql(tenant.subdomain, token, `{ ${fields} }`),
      /Aliases limit of 30 exceeded, found 31/,
    );
  });

  it('refuses a document of more than 5000 tokens', async () => {
    const res = await t.gql(tenant.subdomain, token, `{ ${'__typename '.repeat(5001)}}`);
    expectRefused(res, /Token limit of 5000 exceeded/);
  });

  it('refuses more than 20 directives', async () => {
    const kinds = 'kind @include(if: true) '.repeat(21);
    expectRefused(
      await t.gql(tenant.subdomain, token, `{ viewer { ${kinds}} }`),
      /Directives limit of 20 exceeded, found 21/,
    );
  });

  it('refuses a query that costs more than 1000, with the page sizes of its variables', async () => {
    const query = `query($n: Int) { groups(first: $n) { edges { node {
      contacts(first: $n) { edges { node { id } } } } } } }`;
    // 1 + 100 × (edges 1 + node 1 + contacts (1 + 100 × 2)) = 20301
    const big = await t.gql(tenant.subdomain, token, query, { n: 100 });
    expectRefused(big, /cost limit of 1000 exceeded, found 20301/);
    expect(big.body.errors![0]!.extensions).toMatchObject({ limit: 'cost', maximum: 1000 });
    const small = await t.gql(tenant.subdomain, token, query, { n: 5 });
    expect(small.status).toBe(200);
    expect(small.cost?.requestedQueryCost).toBe(1 + 5 * (2 + 1 + 5 * 2));
  });

  it('costs each set of the variables a cost depends on, whatever the others hold', async () => {
    // $n sets a page size, $more a directive, $skip nothing the cost reads.
    const query = `query($n: Int, $more: Boolean!, $skip: Int) {
      statuses(first: $n, offset: $skip) { edges { node { name } } }
      more: groups(first: 3) @include(if: $more) { edges { node { name } } } }`;
    const cost = async (variables: Record<string, unknown>) =>
      (await t.gql(tenant.subdomain, token, query, variables)).cost?.requestedQueryCost;
    expect(await cost({ n: 2, more: false, skip: 0 })).toBe(1 + 2 * 2);
    expect(await cost({ n: 2, more: false, skip: 1 })).toBe(1 + 2 * 2);
    expect(await cost({ n: 4, more: false, skip: 1 })).toBe(1 + 4 * 2);
    expect(await cost({ n: 4, more: true, skip: 1 })).toBe(1 + 4 * 2 + 1 + 3 * 2);
    expect(await cost({ n: 2, more: false, skip: 0 })).toBe(1 + 2 * 2);
  });

  it('applies the same limits over graphql-ws', async () => {
    const client = createClient({
      url: endpoint().replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: resolve, error: resolve, complete: () => {} });
      });
    try {
      const deep = (await run(nested(3))) as { extensions?: { code?: string } }[];
      expect(deep.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
      const long = (await run(`{ ${'__typename '.repeat(5001)}}`)) as { message: string }[];
      expect(long[0]!.message).toBe('Token limit of 5000 exceeded.');
      expect(await run('{ viewer { kind } }')).toMatchObject({
        data: { viewer: { kind: 'API_TOKEN' } },
      });
    } finally {
      await client.dispose();
    }
  });
});

describe('field suggestions', () => {
  it('suggests field names in development only', async () => {
    const query = '{ viewer { kinds } }';
    const dev = await t.gql(tenant.subdomain, token, query);
    expect(dev.body.errors![0]!.message).toMatch(/Did you mean "kind"\?/);

    const prod = await startTestApp({ production: true });
    try {
      const other = await prod.createTenant();
      const res = await prod.gql(other.subdomain, await prod.createToken(other, ['*']), query);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.message).toBe('Cannot query field "kinds" on type "Viewer".');
    } finally {
      await prod.stop();
    }
  });
});

describe('CSRF prevention', () => {
  const query = `query=${encodeURIComponent('{ viewer { kind } }')}`;

  it('refuses a simple GET or form POST a page could send cross-site without a preflight', async () => {
    const get = await fetch(`${endpoint()}?${query}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(403);
    expect((await get.json()).errors[0].message).toMatch(/CSRF/);
    const form = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: query,
    });
    expect(form.status).toBe(403);
  });

  it('lets through JSON POSTs, requests with Authorization or the CSRF header, and GraphiQL', async () => {
    const json = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(json.status).toBe(401); // past CSRF: no token
    const withToken = await fetch(`${endpoint()}?${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    expect((await withToken.json()).data).toEqual({ viewer: { kind: 'API_TOKEN' } });
    const withHeader = await fetch(`${endpoint()}?${query}`, {
      headers: { 'x-graphql-yoga-csrf': '1', accept: 'application/json' },
    });
    expect(withHeader.status).toBe(401);
    const graphiql = await fetch(endpoint(), { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
  });
});

describe('request body size', () => {
  const padded = (bytes: number) => {
    const body = JSON.stringify({ query: '{ viewer { kind } }', variables: { pad: '' } });
    return body.replace('"pad":""', `"pad":"${'x'.repeat(bytes - body.length)}"`);
  };
  const post = (body: BodyInit, extra: RequestInit = {}) =>
    fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      ...extra,
    });
  const chunked = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 16_384)
          controller.enqueue(bytes.slice(i, i + 16_384));
        controller.close();
      },
    });

  it('refuses a body over 100 kB with QUERY_TOO_COMPLEX and a JSON error', async () => {
    const res = await post(padded(100_001));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      maximum: 100_000,
    });
    expect(body.errors[0].message).toMatch(/exceeds the limit of 100000 bytes/);
    expect((await post(padded(100_000))).status).toBe(200);
  });

  it('counts a chunked body (no Content-Length) as it arrives', async () => {
    const big = await post(chunked(padded(150_000)), { duplex: 'half' } as RequestInit);
    expect(big.status).toBe(400);
    expect((await big.json()).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const small = await post(chunked(padded(50_000)), { duplex: 'half' } as RequestInit);
    expect(small.status).toBe(200);
    expect((await small.json()).data).toEqual({ viewer: { kind: 'API_TOKEN' } });
  });
});
