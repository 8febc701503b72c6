import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '../src/rest/routes.js';
import { launchChromium } from './helpers/browser.js';
import { expectValidOpenApi31 } from './helpers/openapi-validity.js';
import { generateRestTypes, REST_TYPES_FILE } from './helpers/rest-types.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import type { paths } from './generated/rest-api.js';

type Json = Record<string, any>;

let t: TestApp;
let tenant: TestTenant;
let browser: Browser | undefined;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const docUrl = (subdomain: string) => `${t.url}/api/v1/${subdomain}/openapi.json`;
const docsUrl = (subdomain: string) => `${t.url}/api/v1/${subdomain}/docs`;

describe('GET /api/v1/<tenant>/openapi.json', () => {
  let document: Json;
  beforeAll(async () => {
    const response = await fetch(docUrl(tenant.subdomain));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = await response.json();
  });

  it('is a valid OpenAPI 3.1 document whose server is this tenant, without a token', async () => {
    await expectValidOpenApi31(document);
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers[0].url).toBe(`${t.url}/api/v1/${tenant.subdomain}`);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents every route with its method, parameters, body and abilities', () => {
    expect(REST_ROUTES.length).toBeGreaterThan(0);
    const operationIds = new Set<string>();
    for (const route of REST_ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      const name = `${route.method} ${route.path}`;
      expect(operation, name).toBeDefined();
      expect(operation.operationId, name).toBe(route.operationId);
      expect(operationIds.has(route.operationId), `${name}: unique operationId`).toBe(false);
      operationIds.add(route.operationId);
      expect(operation.tags, name).toEqual([route.tag]);
      expect(operation['x-abilities'], name).toEqual([...route.abilities]);
      for (const ability of route.abilities) expect(operation.description).toContain(ability);
      const parameters = (operation.parameters ?? []) as Json[];
      const named = (place: string) =>
        parameters.filter((p) => p.in === place).map((p) => p.name as string);
      expect(named('path').sort(), name).toEqual(Object.keys(route.params?.shape ?? {}).sort());
      expect(named('query').sort(), name).toEqual(Object.keys(route.query?.shape ?? {}).sort());
      expect(operation.requestBody !== undefined, name).toBe(route.body !== undefined);
      expect(Object.keys(operation.responses), name).toContain(String(route.status));
      for (const status of ['401', '403', '404', '422', '429']) {
        expect(operation.responses[status], `${name} ${status}`).toBeDefined();
      }
    }
    const documented = Object.values(document.paths).flatMap((item: any) => Object.keys(item));
    expect(documented).toHaveLength(REST_ROUTES.length);
  });

  it('is the same document on each request, with an ETag', async () => {
    const first = await fetch(docUrl(tenant.subdomain));
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(await first.json()).toEqual(document);
    const again = await fetch(docUrl(tenant.subdomain), { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('answers 404 TENANT_NOT_FOUND for an unknown tenant and 405 for another method', async () => {
    for (const url of [docUrl('no-such-tenant'), docsUrl('no-such-tenant'), docUrl('%ZZ')]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'TENANT_NOT_FOUND' });
    }
    const post = await fetch(docUrl(tenant.subdomain), { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('types a client: the committed types equal a fresh generation from the served document', async () => {
    const fresh = await generateRestTypes(document);
    const committed = readFileSync(REST_TYPES_FILE, 'utf8');
    // On a difference: `npm run rest:types`, and review the diff of test/generated/rest-api.ts.
    expect(committed === fresh, 'test/generated/rest-api.ts is stale').toBe(true);
  });
});

describe('a typed client (openapi-typescript + openapi-fetch)', () => {
  it('lists, creates and reads contacts', async () => {
    const token = await t.createToken(tenant, ['contacts.read', 'contacts.create']);
    const client = createClient<paths>({
      baseUrl: `${t.url}/api/v1/${tenant.subdomain}`,
      headers: { authorization: `Bearer ${token}` },
    });

    const empty = await client.GET('/contacts', { params: { query: { per_page: 5 } } });
    expect(empty.response.status).toBe(200);
    expect(empty.data).toEqual({
      data: [],
      meta: { current_page: 1, per_page: 5, total: 0, last_page: 1 },
    });

    const created = await client.POST('/contacts', {
      body: { first_name: 'Ada', phone: '+44 20 7946 0958', type: 'CUSTOMER' },
    });
    expect(created.response.status).toBe(201);
    const contact = created.data!.data;
    expect(contact).toMatchObject({ first_name: 'Ada', phone: '+442079460958', type: 'CUSTOMER' });

    const read = await client.GET('/contacts/{id}', { params: { path: { id: contact.id } } });
    expect(read.response.status).toBe(200);
    expect(read.data!.data).toEqual(contact);

    const listed = await client.GET('/contacts', { params: { query: { search: 'Ada' } } });
    expect(listed.data!.data.map((c) => c.id)).toEqual([contact.id]);
    expect(listed.data!.meta.total).toBe(1);

    // An error is typed too: the token lacks contacts.delete.
    const refused = await client.DELETE('/contacts/{id}', { params: { path: { id: contact.id } } });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('GET /api/v1/<tenant>/docs in a browser', () => {
  it('renders the reference from local files, under its CSP, calling nothing outside', async () => {
    const response = await fetch(docsUrl(tenant.subdomain));
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    browser ??= await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    const origin = new URL(t.url).origin;
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== origin) elsewhere.push(request.url());
    });
    await page.addInitScript(() => {
      (window as any).violations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as any).violations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    try {
      await page.goto(docsUrl(tenant.subdomain));
      await page.getByRole('heading', { name: /WhatsMark REST API/ }).waitFor();
      await page.locator('.opblock-tag', { hasText: 'Contacts' }).first().waitFor();
      const listContacts = page.locator('.opblock-get', {
        has: page.locator('.opblock-summary-path', { hasText: /^\/contacts$/ }),
      });
      await listContacts.first().waitFor();

      // Try it out with a real token: the request goes to this origin's REST route.
      const token = await t.createToken(tenant, ['contacts.read']);
      await page
        .getByRole('button', { name: /Authorize/ })
        .first()
        .click();
      await page.getByLabel('auth-bearer-value').fill(token);
      await page.getByRole('button', { name: 'Apply credentials' }).click();
      await page.locator('.modal-ux .btn-done').click();
      await listContacts.first().locator('.opblock-summary').click();
      await listContacts.first().getByRole('button', { name: 'Try it out' }).click();
      await listContacts.first().getByRole('button', { name: 'Execute' }).click();
      const status = listContacts
        .first()
        .locator('.live-responses-table tr.response .response-col_status');
      await status.waitFor();
      expect(await status.textContent()).toMatch(/^\s*200/);

      expect(await page.evaluate(() => (window as any).violations)).toEqual([]);
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
