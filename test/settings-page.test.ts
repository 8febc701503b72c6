import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ABILITY_TABLE } from '../src/auth/abilities.js';
import { renderSettingsPage } from '../src/settings/page.js';
import { launchChromium } from './helpers/browser.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

const STATUSES = '{ statuses(first: 1) { totalCount } }';
const CREATE_STATUS =
  'mutation { createStatus(input: { name: "From the token", color: "#0a0" }) { status { name } } }';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const settingsUrl = (tenant: TestTenant | string) =>
  `${t.url}/api/v1/${typeof tenant === 'string' ? tenant : tenant.subdomain}/settings`;

describe('settings page over plain HTTP', () => {
  it('answers 404 with a page for an unknown or malformed tenant', async () => {
    for (const path of ['nope', 'NO_such', '%ZZ']) {
      const res = await fetch(settingsUrl(path));
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('Workspace not found');
    }
  });

  it('serves a shell that holds no secret, with the ability table and a strict CSP', async () => {
    const tenant = await t.createTenant();
    const res = await fetch(settingsUrl(tenant));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'.*form-action/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toContain(tenant.adminKey);
    expect(html).not.toContain(tenant.adminKey.slice(4, 20));
    // Where the key came from: the demo workspace's is printed by `npm start`, not `tenant create`.
    const signIn = /<section id="sign-in"[^]*?<\/p>/.exec(html)![0].replace(/\s+/g, ' ');
    expect(signIn).toContain('by <code>npm start</code> for the demo workspace');
    expect(signIn).toContain('by <code>tenant create</code> for any other');
    for (const row of ABILITY_TABLE) {
      expect(html).toContain(
        `<legend id="create-cat-${ABILITY_TABLE.indexOf(row)}">${row.category}`,
      );
      for (const ability of row.abilities) expect(html).toContain(`value="${ability}"`);
    }
    const script = /<script type="module" src="([^"]+)"/.exec(html)![1]!;
    const asset = await fetch(new URL(script, t.url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(settingsUrl(tenant), { method: 'POST' })).status).toBe(405);
  });

  it('escapes what it embeds', () => {
    const html = renderSettingsPage('x</script><img src=x onerror=alert(1)>', {
      css: ['/a.css'],
      js: '/a.js',
    });
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });
});

describe('settings page in a browser', () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeEach(async () => {
    context = await browser.newContext({
      locale: 'en-US',
      timezoneId: 'UTC',
      viewport: { width: 1200, height: 900 },
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      // A refused key is a 401 the browser logs; anything else (a CSP violation, say) is a bug.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) {
        problems.push(message.text());
      }
    });
  });
  afterEach(async () => {
    await context.close();
    expect(problems).toEqual([]);
  });

  async function signIn(tenant: TestTenant) {
    await page.goto(settingsUrl(tenant));
    await page.getByLabel('Admin key').fill(tenant.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('switch', { name: 'Enable API access' }).waitFor();
  }
  const accessStatus = () => page.locator('#access-status').textContent();
  const row = (name: string) => page.getByRole('row').filter({ hasText: name });

  it('refuses a wrong admin key visibly and keeps the right one out of URL, storage and cookies', async () => {
    const tenant = await t.createTenant();
    await page.goto(settingsUrl(tenant));
    await page.getByLabel('Admin key').fill(`wma_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Wrong admin key' });
    await alert.waitFor();
    expect(await alert.isVisible()).toBe(true);
    expect(await page.locator('#settings').isHidden()).toBe(true);

    const token = await t.createToken(tenant, ['statuses.read']);
    await page.getByLabel('Admin key').fill(token);
    await page.getByLabel('Admin key').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not the admin key' }).waitFor();

    await page.getByLabel('Admin key').fill(tenant.adminKey);
    await page.getByLabel('Admin key').press('Enter');
    await page.getByRole('switch', { name: 'Enable API access' }).waitFor();
    expect(page.url()).toBe(settingsUrl(tenant));
    expect(await context.cookies()).toEqual([]);
    const stored = await page.evaluate(() => [localStorage.length, sessionStorage.length]);
    expect(stored).toEqual([0, 0]);
    expect(await page.content()).not.toContain(tenant.adminKey);
  });

  it('switches API access off and on at once, and tokens follow', async () => {
    const tenant = await t.createTenant({ apiEnabled: true });
    const token = await t.createToken(tenant, ['statuses.read']);
    await signIn(tenant);
    const toggle = page.getByRole('switch', { name: 'Enable API access' });
    expect(await toggle.isChecked()).toBe(true);

    await toggle.click();
    await expect.poll(accessStatus).toMatch(/^Saved\. API access is off/);
    const refused = await t.gql(tenant.subdomain, token, STATUSES);
    expect(refused.status).toBe(403);
    expect(codes(refused)).toEqual(['API_ACCESS_DISABLED']);

    await toggle.click();
    await expect.poll(accessStatus).toMatch(/^Saved\. API access is on/);
    expect((await t.gql(tenant.subdomain, token, STATUSES)).status).toBe(200);
  });

  it('generates a token shown once, edits its abilities and revokes it after confirming', async () => {
    const tenant = await t.createTenant();
    await signIn(tenant);
    const form = page.locator('#create-form');
    await form.getByLabel('Token name').fill('zapier');
    const contacts = form.getByRole('group', { name: 'Contacts' });
    await contacts.getByLabel('Select all Contacts abilities').check();
    expect(await contacts.locator('input[name="abilities"]:checked').count()).toBe(4);
    await contacts.getByLabel('Select all Contacts abilities').uncheck();
    await form.getByRole('group', { name: 'Statuses' }).getByLabel('Read').check();
    await form.getByRole('group', { name: 'Templates' }).getByLabel('Read').check();
    await form.getByLabel('Expires on').fill('2099-12-31');
    await form.getByRole('button', { name: 'Generate token' }).click();
    await page.locator('#new-token').waitFor();
    const secret = await page.getByLabel('New API token').inputValue();
    expect(secret).toMatch(/^wmk_/);
    expect(await page.locator('#new-token').textContent()).toContain('will not be shown again');
    await row('zapier').filter({ hasText: 'Active' }).waitFor();
    expect(await row('zapier').textContent()).toMatch(/Statuses: statuses\.read.*Dec 31, 2099/);

    expect(codes(await t.gql(tenant.subdomain, secret, STATUSES))).toEqual([]);
    const forbidden = await t.gql(tenant.subdomain, secret, CREATE_STATUS);
    expect(codes(forbidden)).toEqual(['FORBIDDEN']);
    expect(forbidden.body.errors?.[0]?.message).toContain('statuses.create');

    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Edit abilities of zapier' }).click();
    const edit = page.getByRole('dialog', { name: /Abilities of/ });
    const statuses = edit.getByRole('group', { name: 'Statuses' });
    expect(await statuses.getByLabel('Read').isChecked()).toBe(true);
    await statuses.getByLabel('Read').uncheck();
    await statuses.getByLabel('Create').check();
    await edit.getByRole('button', { name: 'Save abilities' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row('zapier').filter({ hasText: 'statuses.create' }).waitFor();
    expect(codes(await t.gql(tenant.subdomain, secret, CREATE_STATUS))).toEqual([]);
    expect(codes(await t.gql(tenant.subdomain, secret, STATUSES))).toEqual(['FORBIDDEN']);

    // The confirm dialog: Escape cancels; Cancel has the focus, Tab then Enter confirms.
    const revoke = page.getByRole('button', { name: 'Revoke zapier' });
    const confirm = page.getByRole('dialog', { name: /Revoke/ });
    await revoke.click();
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect((await t.gql(tenant.subdomain, secret, CREATE_STATUS)).status).toBe(200);
    await revoke.click();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await row('zapier').filter({ hasText: 'Revoked' }).waitFor();
    const refused = await t.gql(tenant.subdomain, secret, STATUSES);
    expect(refused.status).toBe(401);
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
  });

  it('shows the endpoint information and copies the complete endpoints, GraphQL and REST', async () => {
    const tenant = await t.createTenant();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    await signIn(tenant);
    const endpoint = `${t.url}/api/v1/${tenant.subdomain}/graphql`;
    expect(await page.locator('#info-base-url').textContent()).toBe(`${t.url}/api/v1/`);
    expect(await page.locator('#info-tenant').textContent()).toBe(tenant.subdomain);
    expect(await page.locator('#info-endpoint').textContent()).toBe(endpoint);
    expect(await page.locator('#info-example').textContent()).toContain(
      `curl ${endpoint} \\\n  -H 'Authorization: Bearer YOUR_API_TOKEN_HERE'`,
    );

    await page.getByRole('button', { name: 'Copy Complete endpoint (GraphQL)' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(endpoint);

    // The REST face: the product page's own example endpoint, which answers a token with the ability.
    const restEndpoint = `${t.url}/api/v1/${tenant.subdomain}/templates`;
    expect(await page.locator('#info-rest-endpoint').textContent()).toBe(restEndpoint);
    await page.getByRole('button', { name: 'Copy Complete endpoint (REST)' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(restEndpoint);
    const token = await t.createToken(tenant, ['templates.read']);
    const templates = await fetch(restEndpoint, { headers: { authorization: `Bearer ${token}` } });
    expect(templates.status).toBe(200);
    expect(await templates.json()).toMatchObject({ data: [], meta: { total: 0 } });
    const reference = page.getByRole('link', { name: 'Open the REST API reference' });
    const docs = await reference.getAttribute('href');
    expect(docs).toBe(`/api/v1/${tenant.subdomain}/docs`);
    const docsPage = await page.request.get(`${t.url}${docs}`);
    expect(docsPage.status()).toBe(200);
    expect(await docsPage.text()).toContain('REST API reference');

    const playground = page.getByRole('link', { name: 'Open the GraphiQL playground' });
    const href = await playground.getAttribute('href');
    expect(href).toBe(`/api/v1/${tenant.subdomain}/graphql`);
    const graphiql = await page.request.get(`${t.url}${href}`, {
      headers: { accept: 'text/html' },
    });
    expect(await graphiql.text()).toContain('GraphiQL');
  });

  it('works with the keyboard only: sign in, tab to the switch, Space toggles it', async () => {
    const tenant = await t.createTenant({ apiEnabled: false });
    const token = await t.createToken(tenant, ['statuses.read']);
    await page.goto(settingsUrl(tenant));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('admin-key');
    await page.keyboard.type(tenant.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('switch', { name: 'Enable API access' }).waitFor();

    const focused = () =>
      page.evaluate(() => ({
        id: document.activeElement?.id,
        visible: document.activeElement?.matches(':focus-visible'),
      }));
    for (let presses = 0; (await focused()).id !== 'api-enabled'; presses++) {
      expect(presses).toBeLessThan(3);
      await page.keyboard.press('Tab');
    }
    expect(await focused()).toEqual({ id: 'api-enabled', visible: true });
    expect(await page.getByRole('switch').isChecked()).toBe(false);
    await page.keyboard.press('Space');
    await expect.poll(accessStatus).toMatch(/^Saved\. API access is on/);
    expect((await t.gql(tenant.subdomain, token, STATUSES)).status).toBe(200);

    // Enter in the name field submits the form.
    await page.getByLabel('Token name').focus();
    await page.keyboard.type('keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // "Select all" of the first category
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.locator('#new-token').waitFor();
    expect(await page.getByLabel('New API token').inputValue()).toMatch(/^wmk_/);
    await row('keyboard').filter({ hasText: 'contacts.create, contacts.read' }).waitFor();
  });

  it('looks tidy: a full-page screenshot for the README', async () => {
    const tenant = await t.createTenant({ name: 'Acme Store' });
    const used = await t.createToken(tenant, ['*'], {
      name: 'shop sync',
      expiresAt: new Date(Date.now() + 90 * 86_400_000),
    });
    await t.gql(tenant.subdomain, used, STATUSES);
    const old = await t.createToken(tenant, ['contacts.read'], { name: 'old export' });
    await t.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('name', '=', 'old export')
      .execute();
    expect(old).toMatch(/^wmk_/);
    await signIn(tenant);
    const form = page.locator('#create-form');
    await form.getByLabel('Token name').fill('zapier');
    await form.getByLabel('Select all Contacts abilities').check();
    await form.getByRole('group', { name: 'Message sending' }).getByLabel('Send text').check();
    await form.getByRole('button', { name: 'Generate token' }).click();
    await row('zapier').waitFor();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    // The README's picture is refreshed on request only (UPDATE_SCREENSHOTS=1), so a test run
    // leaves the working tree clean; otherwise the screenshot goes to the temporary folder.
    const path = process.env.UPDATE_SCREENSHOTS
      ? 'docs/settings-page.png'
      : join(tmpdir(), 'settings-page.png');
    mkdirSync(dirname(path), { recursive: true });
    const png = await page.screenshot({ path, fullPage: true });
    expect(png.length).toBeGreaterThan(10_000);
  });
});
