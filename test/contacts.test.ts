import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { createSource } from '../src/sources/repo.js';
import { createGroup } from '../src/groups/repo.js';
import {
  codes,
  startTestApp,
  uniqueName,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';
import { graphql } from './generated/gql.js';
import { makeContact, testPhone } from './operations/contacts.js';

const CREATE = graphql(`
  mutation CreateContact($input: CreateContactInput!) {
    createContact(input: $input) {
      contact {
        id
        firstName
        lastName
        company
        type
        email
        phone
        country
        description
        status {
          id
          name
        }
        source {
          id
          name
        }
        groups {
          id
          name
        }
        createdAt
        updatedAt
      }
    }
  }
`);
const UPDATE = graphql(`
  mutation UpdateContact($input: UpdateContactInput!) {
    updateContact(input: $input) {
      contact {
        id
        firstName
        lastName
        company
        type
        email
        phone
        country
        description
        status {
          name
        }
        source {
          name
        }
      }
    }
  }
`);
const DELETE = graphql(`
  mutation DeleteContact($id: ID!) {
    deleteContact(input: { id: $id }) {
      deletedContactId
    }
  }
`);
const GET = graphql(`
  query Contact($id: ID!) {
    contact(id: $id) {
      id
      firstName
      phone
      status {
        name
      }
      source {
        name
      }
      groups {
        name
      }
    }
  }
`);
let t: TestApp;
let tenant: TestTenant;
let token: string;
const ids: Record<'status' | 'source' | 'group', string> = { status: '', source: '', group: '' };

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
  const db = t.database.db;
  const tenantId = tenant.tenant.id;
  const status = await createStatus(db, tenantId, { name: 'Qualified', color: '#8b5cf6' });
  const source = await createSource(db, tenantId, { name: 'Website' });
  const group = await createGroup(db, tenantId, { name: 'Newsletter', description: null });
  ids.status = encodeId('Status', status.id);
  ids.source = encodeId('Source', source.id);
  ids.group = encodeId('Group', group.id);
});
afterAll(() => t.stop());

const create = (input: Record<string, unknown>, secret = token) =>
  t.gql(tenant.subdomain, secret, CREATE, {
    input: { firstName: 'Ada', phone: testPhone(), ...input } as any,
  });

async function countContacts(tenantId = tenant.tenant.id): Promise<number> {
  const row = await t.database.db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('createContact', () => {
  it('normalises the phone to E.164, takes its country, and links status, source and groups', async () => {
    const res = await create({
      firstName: ' Ada ',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      type: 'CUSTOMER',
      email: ' ada@example.com ',
      phone: '+44 20 7946 0958',
      description: 'Met at the fair.',
      statusId: ids.status,
      sourceId: ids.source,
      groupIds: [ids.group],
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.createContact!.contact).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      type: 'CUSTOMER',
      email: 'ada@example.com',
      phone: '+442079460958',
      country: 'GB',
      description: 'Met at the fair.',
      status: { id: ids.status, name: 'Qualified' },
      source: { id: ids.source, name: 'Website' },
      groups: [{ id: ids.group, name: 'Newsletter' }],
    });
  });

  it('reads a national number in the given country, and defaults the rest', async () => {
    const res = await create({ phone: '(415) 555-0132', country: 'us' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.createContact!.contact).toMatchObject({
      phone: '+14155550132',
      country: 'US',
      type: 'LEAD',
      lastName: null,
      email: null,
      status: null,
      source: null,
      groups: [],
    });
  });

  it.each([
    ['a phone that is not a number', { phone: 'call me' }, 'phone', 'BAD_USER_INPUT'],
    ['a phone too short to be valid', { phone: '+44 20 79' }, 'phone', 'BAD_USER_INPUT'],
    ['a national phone without a country', { phone: '020 7946 0958' }, 'phone', 'BAD_USER_INPUT'],
    ['an email without a domain', { email: 'ada@' }, 'email', 'BAD_USER_INPUT'],
    ['an unknown country', { country: 'XX' }, 'country', 'BAD_USER_INPUT'],
    ['an empty first name', { firstName: '  ' }, 'firstName', 'BAD_USER_INPUT'],
    ['a malformed status id', { statusId: 'nope' }, 'statusId', 'BAD_USER_INPUT'],
    ['a group id given as a status id', { statusId: 'GROUP' }, 'statusId', 'BAD_USER_INPUT'],
    ['an unknown status id', { statusId: 'MISSING_STATUS' }, 'statusId', 'NOT_FOUND'],
    ['an unknown source id', { sourceId: 'MISSING_SOURCE' }, 'sourceId', 'NOT_FOUND'],
    ['an unknown group id', { groupIds: ['GROUP', 'MISSING_GROUP'] }, 'groupIds', 'NOT_FOUND'],
  ])('refuses %s, naming the field, and writes nothing', async (_what, input, field, code) => {
    const missing = (type: string) => encodeId(type, '00000000-0000-4000-8000-000000000000');
    const resolved = JSON.parse(
      JSON.stringify(input)
        .replaceAll('"MISSING_STATUS"', JSON.stringify(missing('Status')))
        .replaceAll('"MISSING_SOURCE"', JSON.stringify(missing('Source')))
        .replaceAll('"MISSING_GROUP"', JSON.stringify(missing('Group')))
        .replaceAll('"GROUP"', JSON.stringify(ids.group)),
    );
    const before = await countContacts();
    const res = await create(resolved);
    expect(res.status).toBe(200);
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors![0]!.extensions?.field).toBe(field);
    if (code === 'NOT_FOUND') expect(res.body.errors![0]!.extensions?.id).toMatch(/^[\w-]+$/);
    expect(await countContacts()).toBe(before);
  });

  it('refuses a phone already in the tenant, however it is written, as CONFLICT on phone', async () => {
    expect((await create({ phone: '+1 212 555 0147' })).body.errors).toBeUndefined();
    const res = await create({ phone: '+1 (212) 555-0147' });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('phone');
  });

  it('shows a create-only token the contact it created, but not its status', async () => {
    const secret = await t.createToken(tenant, ['contacts.create']);
    const res = await create({ statusId: ids.status }, secret);
    expect(res.body.data!.createContact!.contact).toMatchObject({ firstName: 'Ada', status: null });
    expect(codes(res)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(res.body.errors!.map((e) => e.path!.at(-1)).sort()).toEqual([
      'groups',
      'source',
      'status',
    ]);
  });
});

describe('updateContact and deleteContact', () => {
  it('changes only the fields given, and null clears an optional one', async () => {
    const created = await create({
      lastName: 'Byron',
      company: 'Old Co',
      email: 'a@example.com',
      statusId: ids.status,
      sourceId: ids.source,
      phone: '+1 212 555 0161',
    });
    const id = created.body.data!.createContact!.contact!.id;
    const res = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id, company: 'New Co', email: null, lastName: null, statusId: null },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.updateContact!.contact).toMatchObject({
      firstName: 'Ada',
      lastName: null,
      company: 'New Co',
      email: null,
      phone: '+12125550161',
      country: 'US',
      status: null,
      source: { name: 'Website' },
    });
  });

  it("reads a new national number in the contact's country", async () => {
    const id = (await create({ phone: '+1 212 555 0162' })).body.data!.createContact!.contact!.id;
    const res = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id, phone: '(212) 555-0163', type: 'CUSTOMER' },
    });
    expect(res.body.data!.updateContact!.contact).toMatchObject({
      phone: '+12125550163',
      type: 'CUSTOMER',
    });
  });

  it.each([
    ['a null first name', { firstName: null }, 'firstName', 'BAD_USER_INPUT'],
    ['a null phone', { phone: null }, 'phone', 'BAD_USER_INPUT'],
    ['a null type', { type: null }, 'type', 'BAD_USER_INPUT'],
    ['a bad email', { email: 'not an email' }, 'email', 'BAD_USER_INPUT'],
    ['a taken phone', { phone: 'TAKEN' }, 'phone', 'CONFLICT'],
    ['an unknown source', { sourceId: 'MISSING' }, 'sourceId', 'NOT_FOUND'],
  ])('refuses %s and changes nothing', async (_what, patch, field, code) => {
    const taken = await makeContact(t.database.db, tenant.tenant.id);
    const contact = await makeContact(t.database.db, tenant.tenant.id, { company: 'Same' });
    const input = Object.fromEntries(
      Object.entries(patch).map(([k, v]) => [
        k,
        v === 'TAKEN'
          ? taken.phone
          : v === 'MISSING'
            ? encodeId('Source', '00000000-0000-4000-8000-000000000000')
            : v,
      ]),
    );
    const res = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: encodeId('Contact', contact.id), company: 'Changed', ...input } as any,
    });
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors![0]!.extensions?.field).toBe(field);
    const row = await t.database.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(contact);
  });

  it('deletes a contact once, then answers NOT_FOUND', async () => {
    const id = (await create({})).body.data!.createContact!.contact!.id;
    const res = await t.gql(tenant.subdomain, token, DELETE, { id });
    expect(res.body.data!.deleteContact!.deletedContactId).toBe(id);
    expect((await t.gql(tenant.subdomain, token, GET, { id })).body).toEqual({
      data: { contact: null },
    });
    expect(codes(await t.gql(tenant.subdomain, token, DELETE, { id }))).toEqual(['NOT_FOUND']);
    const update = await t.gql(tenant.subdomain, token, UPDATE, { input: { id, company: 'x' } });
    expect(codes(update)).toEqual(['NOT_FOUND']);
  });

  it('keeps contacts when their status or source is deleted, with those now null', async () => {
    const db = t.database.db;
    const status = await createStatus(db, tenant.tenant.id, {
      name: uniqueName('s'),
      color: '#000',
    });
    const source = await createSource(db, tenant.tenant.id, { name: uniqueName('src') });
    const contact = await makeContact(db, tenant.tenant.id, {
      status_id: status.id,
      source_id: source.id,
    });
    const id = encodeId('Contact', contact.id);
    for (const [mutation, node] of [
      ['deleteStatus', encodeId('Status', status.id)],
      ['deleteSource', encodeId('Source', source.id)],
    ] as const) {
      const res = await t.gql(
        tenant.subdomain,
        token,
        `mutation($id: ID!) { ${mutation}(input: { id: $id }) { clientMutationId } }`,
        { id: node },
      );
      expect(res.body.errors).toBeUndefined();
    }
    const read = await t.gql(tenant.subdomain, token, GET, { id });
    expect(read.body.data!.contact).toMatchObject({ id, status: null, source: null });
  });
});
