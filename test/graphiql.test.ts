import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setApiAccess } from '../src/tenants/repo.js';
import { launchChromium } from './helpers/browser.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * GraphiQL loads the schema when the page opens, before the user has pasted a token: an operation
 * that only introspects is answered for an existing tenant without one. Nothing else is.
 */
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant({ apiEnabled: true });
  token = await t.createToken(tenant, ['*']);
});
afterAll(async () => {
  await t?.stop();
});

const QUERY_TYPE = '{ __schema { queryType { name } } }';

describe('introspection without a token', () => {
  it("answers GraphiQL's introspection query with the whole schema, without or with a refused secret", async () => {
    const expired = await t.createToken(tenant, ['*'], { expiresAt: new Date(Date.now() - 1000) });
    for (const secret of [undefined, 'PASTE_YOUR_TOKEN_HERE', expired, 'wma_wrong']) {
      const res = await t.gql<IntrospectionQuery>(
        tenant.subdomain,
        secret,
        getIntrospectionQuery(),
      );
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      const schema = buildClientSchema(res.body.data!);
      expect(Object.keys(schema.getQueryType()!.getFields())).toContain('contacts');
    }
  });

  it('answers __type and __typename, also with API access off', async () => {
    const off = await t.createTenant({ apiEnabled: false });
    const offToken = await t.createToken(off, ['*']);
    const query = '{ __typename __type(name: "Contact") { name } }';
    for (const [subdomain, secret] of [
      [tenant.subdomain, undefined],
      [off.subdomain, undefined],
      [off.subdomain, offToken],
    ] as const) {
      const res = await t.gql(subdomain, secret, query);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { __typename: 'Query', __type: { name: 'Contact' } } });
    }
    // API access off still refuses the token everything else.
    const refused = await t.gql(off.subdomain, offToken, '{ __typename viewer { kind } }');
    expect(refused.status).toBe(403);
    expect(codes(refused)).toEqual(['API_ACCESS_DISABLED']);
    await setApiAccess(t.database.db, off.tenant.id, true);
  });

  it('is TENANT_NOT_FOUND for an unknown tenant', async () => {
    const res = await t.gql('no-such-tenant', undefined, QUERY_TYPE);
    expect(res.status).toBe(404);
    expect(codes(res)).toEqual(['TENANT_NOT_FOUND']);
    expect(res.body.data).toBeUndefined();
  });

  it('runs nothing else: any other field, even beside introspection or through a fragment, is 401', async () => {
    const documents: [string, string?][] = [
      ['{ __schema { queryType { name } } viewer { kind } }'],
      ['{ __typename abilityCategories { category } }'],
      ['{ ... on Query { __typename apiInfo { tenant } } }'],
      ['{ ...F } fragment F on Query { __typename viewer { kind } }'],
      ['query A { __typename } query B { viewer { kind } }', 'A'],
      ['mutation { __typename }'],
      ['subscription { messageStatusChanged { status } }'],
    ];
    for (const [query, operationName] of documents) {
      const res = await fetch(`${t.url}/api/v1/${tenant.subdomain}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, operationName }),
      });
      const body = await res.json();
      expect({ query, status: res.status }).toEqual({ query, status: 401 });
      expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(body.data).toBeUndefined();
    }
  });

  it('keeps the document limits', async () => {
    const aliases = Array.from(
      { length: 31 },
      (_, i) => `a${i}: __type(name: "Query") { name }`,
    ).join(' ');
    const tooMany = await t.gql(tenant.subdomain, undefined, `{ ${aliases} }`);
    expect(tooMany.status).toBe(400);
    expect(codes(tooMany)).toEqual(['QUERY_TOO_COMPLEX']);

    const deep = await t.gql(
      tenant.subdomain,
      undefined,
      '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }',
    );
    expect(deep.body.data ?? null).toBeNull();
    expect(deep.body.errors?.[0]?.message).toMatch(/introspection depth/i);
  });
});

describe('GraphiQL in a browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
  });
  afterEach(async () => {
    await context.close();
  });

  it('shows the docs and completes fields from the start; the pasted token runs the query', async () => {
    await page.goto(`${t.url}/api/v1/${tenant.subdomain}/graphql`);

    // The newcomer's steps: replace the placeholder in the Headers tab with the token, run.
    await page.getByText('Headers', { exact: true }).click();
    // Select the editor's whole text and paste the header over it (a double click on the
    // placeholder word was flaky on a loaded machine: two clicks put the token inside it).
    await page.getByText('PASTE_YOUR_TOKEN_HERE').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
    // The editor closes the brackets and quotes it saw typed: drop what it added after the cursor.
    await page.keyboard.press('ControlOrMeta+Shift+End');
    await page.keyboard.press('Delete');
    await page.getByRole('button', { name: /^Execute query/ }).click();
    await expect
      .poll(() => page.locator('.result-window').innerText())
      .toMatch(new RegExp(`"subdomain":\\s+"${tenant.subdomain}"`));

    // Autocompletion knows the schema without "Re-fetch schema".
    await page.locator('.graphiql-query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{ cont');
    const suggestions = page.locator('.suggest-widget');
    await suggestions.getByText('contacts', { exact: true }).waitFor();

    // So do the docs: Query's fields, and no "Error fetching schema".
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByRole('link', { name: 'Query', exact: true }).click();
    await docs.getByRole('link', { name: 'contacts', exact: true }).waitFor();
    expect(await page.locator('body').innerText()).not.toMatch(/error fetching schema/i);
    expect(problems).toEqual([]);
  });
});
