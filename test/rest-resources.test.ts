import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPhone as phone } from './operations/contacts.js';
import { restCall, type RestResponse } from './helpers/rest-call.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * The REST face's CRUD routes (contacts, statuses, sources, groups, group membership) and page
 * numbers over GraphQL's `offset`, over real HTTP against real PostgreSQL. The plugin's own answers
 * are in rest-plugin.test.ts; abilities, isolation, rate limits and pagination edges in the other
 * rest-*.test.ts files.
 */

let t: TestApp;
let tenant: TestTenant;
let token: string;

/** A REST call to `tenant` with `token` (`secret: null`: none). */
function rest(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; secret?: string | null } = {},
): Promise<RestResponse> {
  const secret = options.secret === null ? undefined : (options.secret ?? token);
  return restCall(t.url, tenant.subdomain, secret, method, path, {
    body: options.body,
    rawBody: options.raw,
  });
}

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});

afterAll(async () => {
  await t?.stop();
});

describe('contacts', () => {
  it('creates, lists, gets, updates and deletes a contact', async () => {
    const status = await rest('POST', '/statuses', {
      body: { name: uniqueName('Lead'), color: '#22c55e' },
    });
    expect(status.status).toBe(201);
    const group = await rest('POST', '/groups', { body: { name: uniqueName('VIP') } });
    expect(group.status).toBe(201);
    const number = phone();
    const created = await rest('POST', '/contacts', {
      body: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        phone: number,
        email: 'ada@example.com',
        type: 'customer',
        status_id: status.body.data.id,
        group_ids: [group.body.data.id],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: number,
      email: 'ada@example.com',
      type: 'CUSTOMER',
      status_id: status.body.data.id,
      source_id: null,
      group_ids: [group.body.data.id],
    });
    const id = created.body.data.id;

    const got = await rest('GET', `/contacts/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ data: created.body.data });

    const list = await rest('GET', `/contacts?per_page=5&status_id=${status.body.data.id}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      data: [created.body.data],
      meta: { current_page: 1, per_page: 5, total: 1, last_page: 1 },
    });

    const put = await rest('PUT', `/contacts/${id}`, { body: { company: 'Analytical Engines' } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ first_name: 'Ada', company: 'Analytical Engines' });
    const patch = await rest('PATCH', `/contacts/${id}`, {
      body: { company: null, status_id: null },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.data).toMatchObject({ first_name: 'Ada', company: null, status_id: null });

    const deleted = await rest('DELETE', `/contacts/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ data: { id, deleted: true } });
    const gone = await rest('GET', `/contacts/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NOT_FOUND');
  });
});

describe.each([
  {
    path: '/statuses',
    create: () => ({ name: uniqueName('Won'), color: '#abc' }),
    created: { color: '#aabbcc' },
    update: { color: '#112233' },
  },
  { path: '/sources', create: () => ({ name: uniqueName('Fair') }), created: {}, update: {} },
  {
    path: '/groups',
    create: () => ({ name: uniqueName('Audience'), description: 'Spring campaign' }),
    created: { description: 'Spring campaign', contact_count: 0 },
    update: { description: null },
  },
])('$path', ({ path, create, created, update }) => {
  it('creates, lists, gets, updates (PUT and PATCH) and deletes', async () => {
    const values = create();
    const made = await rest('POST', path, { body: values });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ ...values, ...created });
    expect(made.body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const id = made.body.data.id;

    const got = await rest('GET', `${path}/${id}`);
    expect(got.body).toEqual({ data: made.body.data });

    const list = await rest('GET', `${path}?per_page=100`);
    expect(list.status).toBe(200);
    expect(list.body.data).toContainEqual(made.body.data);
    expect(list.body.meta).toEqual({
      current_page: 1,
      per_page: 100,
      total: list.body.data.length,
      last_page: 1,
    });

    const renamed = uniqueName('Renamed');
    const put = await rest('PUT', `${path}/${id}`, { body: { name: renamed } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ id, name: renamed });
    const patch = await rest('PATCH', `${path}/${id}`, { body: update });
    expect(patch.status).toBe(200);
    expect(patch.body.data).toMatchObject({ id, name: renamed, ...update });

    expect((await rest('DELETE', `${path}/${id}`)).body).toEqual({ data: { id, deleted: true } });
    const again = await rest('DELETE', `${path}/${id}`);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect((await rest('GET', `${path}/${id}`)).status).toBe(404);
  });

  it('answers 409 CONFLICT for a name already taken', async () => {
    const values = create();
    expect((await rest('POST', path, { body: values })).status).toBe(201);
    const again = await rest('POST', path, { body: values });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT' });
    expect(again.body.message).toContain(values.name);
  });
});

describe('group membership', () => {
  it('adds and removes contacts with contact_ids, answering the group and the count', async () => {
    const group = (await rest('POST', '/groups', { body: { name: uniqueName('Members') } })).body
      .data;
    const ids: string[] = [];
    for (const name of ['Grace', 'Alan']) {
      const made = await rest('POST', '/contacts', { body: { first_name: name, phone: phone() } });
      ids.push(made.body.data.id);
    }
    const added = await rest('POST', `/groups/${group.id}/contacts`, {
      body: { contact_ids: ids },
    });
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({
      group: { id: group.id, contact_count: 2 },
      added_count: 2,
    });
    const members = await rest('GET', `/contacts?group_id=${group.id}`);
    expect(members.body.data.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    expect(members.body.data[0].group_ids).toEqual([group.id]);

    const removed = await rest('DELETE', `/groups/${group.id}/contacts`, {
      body: { contact_ids: [ids[0], ids[0]] },
    });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toMatchObject({
      group: { id: group.id, contact_count: 1 },
      removed_count: 1,
    });
  });

  it('changes nothing when one id is not in the tenant (404)', async () => {
    const group = (await rest('POST', '/groups', { body: { name: uniqueName('Strict') } })).body
      .data;
    const contact = (
      await rest('POST', '/contacts', { body: { first_name: 'Kay', phone: phone() } })
    ).body.data;
    const deleted = (
      await rest('POST', '/contacts', { body: { first_name: 'Gone', phone: phone() } })
    ).body.data;
    await rest('DELETE', `/contacts/${deleted.id}`);
    const refused = await rest('POST', `/groups/${group.id}/contacts`, {
      body: { contact_ids: [contact.id, deleted.id] },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('NOT_FOUND');
    expect(refused.body.message).toContain(deleted.id);
    expect((await rest('GET', `/groups/${group.id}`)).body.data.contact_count).toBe(0);
  });
});

describe('pages', () => {
  it('pages with page and per_page over the offset argument', async () => {
    const own = await t.createTenant();
    const ownToken = await t.createToken(own, ['*']);
    const names = ['a', 'b', 'c', 'd', 'e'].map((letter) => `${letter}-${uniqueName('src')}`);
    for (const name of names) {
      const made = await fetch(`${t.url}/api/v1/${own.subdomain}/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      expect(made.status).toBe(201);
    }
    const page = await fetch(`${t.url}/api/v1/${own.subdomain}/sources?page=2&per_page=2`, {
      headers: { authorization: `Bearer ${ownToken}` },
    });
    const body = await page.json();
    expect(body.data.map((s: { name: string }) => s.name)).toEqual(names.slice(2, 4));
    expect(body.meta).toEqual({ current_page: 2, per_page: 2, total: 5, last_page: 3 });

    const mixed = await t.gql(
      own.subdomain,
      ownToken,
      '{ sources(offset: 1, last: 2) { totalCount } }',
    );
    expect(mixed.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'offset',
    });
    const skipped = await t.gql(
      own.subdomain,
      ownToken,
      '{ sources(first: 1, offset: 4) { edges { node { ... on Source { name } } } pageInfo { hasNextPage hasPreviousPage } } }',
    );
    expect(skipped.body.data?.sources).toEqual({
      edges: [{ node: { name: names[4] } }],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
    });
  });
});
