import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPhone as phone } from './operations/contacts.js';
import { restCall, type RestResponse } from './helpers/rest-call.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * The REST plugin itself (src/rest/plugin.ts): ids shared with GraphQL, relations the token may
 * not read, and its own answers — unknown route, wrong method, body limit, malformed JSON,
 * validation with every field's problem, GraphQL's BAD_USER_INPUT under the REST field name.
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

describe('ids and relations', () => {
  it('a REST id works in GraphQL node(id:), and a GraphQL id in REST', async () => {
    const made = await rest('POST', '/sources', { body: { name: uniqueName('Web') } });
    const viaGraphQL = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { node(id: $id) { id ... on Source { name } } }',
      {
        id: made.body.data.id,
      },
    );
    expect(viaGraphQL.body.data?.node).toEqual({
      id: made.body.data.id,
      name: made.body.data.name,
    });

    const created = await t.gql(
      tenant.subdomain,
      token,
      'mutation($name: String!) { createStatus(input: { name: $name, color: "#000000" }) { status { id name } } }',
      { name: uniqueName('Cold') },
    );
    const status = created.body.data?.createStatus.status;
    const viaRest = await rest('GET', `/statuses/${status.id}`);
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.data).toMatchObject(status);
  });

  it('leaves out a relation the token may not read', async () => {
    const status = (
      await rest('POST', '/statuses', { body: { name: uniqueName('Hot'), color: '#f00' } })
    ).body.data;
    const contact = (
      await rest('POST', '/contacts', {
        body: { first_name: 'Lin', phone: phone(), status_id: status.id },
      })
    ).body.data;
    const reader = await t.createToken(tenant, ['contacts.read', 'statuses.read']);
    const got = await rest('GET', `/contacts/${contact.id}`, { secret: reader });
    expect(got.status).toBe(200);
    expect(got.body.data.status_id).toBe(status.id);
    expect(got.body.data).not.toHaveProperty('source_id');
    expect(got.body.data).not.toHaveProperty('group_ids');
    expect(got.body.data).toMatchObject({ id: contact.id, first_name: 'Lin' });
  });

  it('answers 404 for an id of another type and 422 for a malformed one', async () => {
    const contact = (
      await rest('POST', '/contacts', { body: { first_name: 'Ida', phone: phone() } })
    ).body.data;
    const wrongType = await rest('GET', `/statuses/${contact.id}`);
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors).toHaveProperty('id');
    const malformed = await rest('PATCH', '/groups/not-an-id', { body: { name: 'x' } });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: { id: [expect.any(String)] },
    });
  });
});

describe('errors', () => {
  it('answers an unknown route with 404 naming the docs', async () => {
    const response = await rest('GET', '/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
    expect(response.body.message).toContain(`/api/v1/${tenant.subdomain}/docs`);
  });

  it('answers a known path with a wrong method with 405 and Allow', async () => {
    const response = await rest('POST', '/statuses/U3RhdHVzOjA', { body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    const members = await rest('GET', '/groups/R3JvdXA6MA/contacts');
    expect(members.status).toBe(405);
    expect(members.headers.get('allow')).toBe('POST, DELETE');
  });

  it('answers a body over the limit with 413', async () => {
    const response = await rest('POST', '/sources', {
      body: { name: 'x'.repeat(t.config.limits.maxBodyBytes) },
    });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const response = await rest('POST', '/statuses', { raw: '{"name": "Open",' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ message: expect.any(String), code: 'BAD_REQUEST' });
  });

  it('answers invalid input with 422 and every field problem', async () => {
    const response = await rest('POST', '/contacts', { body: { last_name: 7, type: 'friend' } });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(response.body.errors).sort()).toEqual([
      'first_name',
      'last_name',
      'phone',
      'type',
    ]);
    const query = await rest('GET', '/contacts?per_page=101&page=0');
    expect(query.status).toBe(422);
    expect(Object.keys(query.body.errors).sort()).toEqual(['page', 'per_page']);
  });

  it('names the REST field of a GraphQL BAD_USER_INPUT', async () => {
    const response = await rest('POST', '/contacts', {
      body: { first_name: '  ', phone: phone() },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: { first_name: [expect.any(String)] },
    });
    expect(response.body.message).toMatch(/^first_name: /);
    const phoneError = await rest('POST', '/contacts', { body: { first_name: 'Bo', phone: '12' } });
    expect(phoneError.status).toBe(422);
    expect(Object.keys(phoneError.body.errors)).toEqual(['phone']);
  });

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const response = await rest('GET', '/contacts', { secret: null });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
