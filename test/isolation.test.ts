import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { createSource } from '../src/sources/repo.js';
import { createGroup } from '../src/groups/repo.js';
import type { Contact, Group, Source, Status } from '../src/db/types.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { makeContact, testPhone } from './operations/contacts.js';

/**
 * Tenant B's token against tenant A's ids: every read finds nothing, every write is NOT_FOUND and
 * changes nothing; and the database itself refuses a row of B that points at a row of A.
 */
let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let bToken: string;
const A = {} as { status: Status; source: Source; group: Group; contact: Contact };
const B = {} as { group: Group; contact: Contact };
const ids = {} as Record<'status' | 'source' | 'group' | 'contact', string>;

beforeAll(async () => {
  t = await startTestApp();
  [a, b] = [await t.createTenant(), await t.createTenant()];
  bToken = await t.createToken(b, ['*']);
  const db = t.database.db;
  A.status = await createStatus(db, a.tenant.id, { name: 'Won', color: '#00ff00' });
  A.source = await createSource(db, a.tenant.id, { name: 'Referral' });
  A.group = await createGroup(db, a.tenant.id, { name: 'VIP', description: 'A only' });
  A.contact = await makeContact(db, a.tenant.id, {
    first_name: 'Alice',
    status_id: A.status.id,
    source_id: A.source.id,
  });
  await db
    .insertInto('contact_groups')
    .values({ tenant_id: a.tenant.id, group_id: A.group.id, contact_id: A.contact.id })
    .execute();
  B.group = await createGroup(db, b.tenant.id, { name: 'VIP', description: null });
  B.contact = await makeContact(db, b.tenant.id, { first_name: 'Bob' });
  ids.status = encodeId('Status', A.status.id);
  ids.source = encodeId('Source', A.source.id);
  ids.group = encodeId('Group', A.group.id);
  ids.contact = encodeId('Contact', A.contact.id);
});
afterAll(() => t.stop());

const asB = (query: string, variables?: Record<string, unknown>) =>
  t.gql(b.subdomain, bToken, query, variables);

/** Everything of tenant A's, as the database holds it. */
async function snapshotA() {
  const db = t.database.db;
  const of = (table: 'statuses' | 'sources' | 'groups' | 'contacts' | 'contact_groups') =>
    db.selectFrom(table).selectAll().where('tenant_id', '=', a.tenant.id).execute();
  return Promise.all([
    of('statuses'),
    of('sources'),
    of('groups'),
    of('contacts'),
    of('contact_groups'),
  ]);
}

describe("tenant B reading tenant A's ids", () => {
  it('lists show none of them', async () => {
    const res = await asB(
      '{ contacts { totalCount } statuses { totalCount } sources { totalCount } groups { totalCount edges { node { name contactCount } } } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({
      contacts: { totalCount: 1 },
      statuses: { totalCount: 0 },
      sources: { totalCount: 0 },
      groups: { totalCount: 1, edges: [{ node: { name: 'VIP', contactCount: 0 } }] },
    });
  });

  it.each(['status', 'source', 'group', 'contact'] as const)(
    'node(id) and nodes(ids) of a %s are null',
    async (kind) => {
      const res = await asB('query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }', {
        id: ids[kind],
      });
      expect(res.body).toEqual({ data: { node: null, nodes: [null] } });
    },
  );

  it('contact(id) is null, and filters by its status, source or group match nothing', async () => {
    const res = await asB(
      `query($c: ID!, $s: ID!, $src: ID!, $g: ID!) {
        contact(id: $c) { id }
        byStatus: contacts(filter: { statusId: $s }) { totalCount }
        bySource: contacts(filter: { sourceId: $src }) { totalCount }
        byGroup: contacts(filter: { groupId: $g }) { totalCount }
      }`,
      { c: ids.contact, s: ids.status, src: ids.source, g: ids.group },
    );
    expect(res.body).toEqual({
      data: {
        contact: null,
        byStatus: { totalCount: 0 },
        bySource: { totalCount: 0 },
        byGroup: { totalCount: 0 },
      },
    });
  });
});

describe("tenant B writing with tenant A's ids", () => {
  const bContact = () => encodeId('Contact', B.contact.id);
  const bGroup = () => encodeId('Group', B.group.id);
  const cases: [string, string, () => Record<string, unknown>][] = [
    [
      'updateContact',
      'updateContact(input: { id: $id, firstName: "Mallory" }) { contact { id } }',
      () => ({ id: ids.contact }),
    ],
    [
      'deleteContact',
      'deleteContact(input: { id: $id }) { deletedContactId }',
      () => ({ id: ids.contact }),
    ],
    [
      'updateStatus',
      'updateStatus(input: { id: $id, name: "x" }) { status { id } }',
      () => ({ id: ids.status }),
    ],
    [
      'deleteStatus',
      'deleteStatus(input: { id: $id }) { deletedStatusId }',
      () => ({ id: ids.status }),
    ],
    [
      'updateSource',
      'updateSource(input: { id: $id, name: "x" }) { source { id } }',
      () => ({ id: ids.source }),
    ],
    [
      'deleteSource',
      'deleteSource(input: { id: $id }) { deletedSourceId }',
      () => ({ id: ids.source }),
    ],
    [
      'updateGroup',
      'updateGroup(input: { id: $id, name: "x" }) { group { id } }',
      () => ({ id: ids.group }),
    ],
    [
      'deleteGroup',
      'deleteGroup(input: { id: $id }) { deletedGroupId }',
      () => ({ id: ids.group }),
    ],
    [
      'createContact with their status',
      'createContact(input: { firstName: "M", phone: $phone, statusId: $id }) { contact { id } }',
      () => ({ id: ids.status, phone: testPhone() }),
    ],
    [
      'createContact with their source',
      'createContact(input: { firstName: "M", phone: $phone, sourceId: $id }) { contact { id } }',
      () => ({ id: ids.source, phone: testPhone() }),
    ],
    [
      'createContact into their group',
      'createContact(input: { firstName: "M", phone: $phone, groupIds: [$id] }) { contact { id } }',
      () => ({ id: ids.group, phone: testPhone() }),
    ],
    [
      'updateContact to their status',
      'updateContact(input: { id: $mine, statusId: $id }) { contact { id } }',
      () => ({ id: ids.status, mine: bContact() }),
    ],
    [
      'updateContact to their source',
      'updateContact(input: { id: $mine, sourceId: $id }) { contact { id } }',
      () => ({ id: ids.source, mine: bContact() }),
    ],
    [
      'addContactsToGroup: their contact into my group',
      'addContactsToGroup(input: { groupId: $mine, contactIds: [$id] }) { group { id } }',
      () => ({ id: ids.contact, mine: bGroup() }),
    ],
    [
      'addContactsToGroup: my contact into their group',
      'addContactsToGroup(input: { groupId: $id, contactIds: [$mine] }) { group { id } }',
      () => ({ id: ids.group, mine: bContact() }),
    ],
    [
      'removeContactsFromGroup: their contact from their group',
      'removeContactsFromGroup(input: { groupId: $id, contactIds: [$c] }) { group { id } }',
      () => ({ id: ids.group, c: ids.contact }),
    ],
    [
      'removeContactsFromGroup: their contact from my group',
      'removeContactsFromGroup(input: { groupId: $mine, contactIds: [$id] }) { group { id } }',
      () => ({ id: ids.contact, mine: bGroup() }),
    ],
  ];

  it.each(cases)('%s is NOT_FOUND and changes nothing', async (_name, field, variables) => {
    const before = await snapshotA();
    const values = variables();
    const declared = Object.keys(values)
      .map((name) => `$${name}: ${name === 'phone' ? 'String!' : 'ID!'}`)
      .join(', ');
    const res = await asB(`mutation(${declared}) { ${field} }`, values);
    expect(res.status).toBe(200);
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.body.data).toEqual({ [field.slice(0, field.indexOf('('))]: null });
    expect(await snapshotA()).toEqual(before);
  });

  it("leaves B's own rows as they were", async () => {
    const res = await asB(
      'query($id: ID!) { contact(id: $id) { firstName status { id } source { id } groups { id } } }',
      { id: encodeId('Contact', B.contact.id) },
    );
    expect(res.body.data).toEqual({
      contact: { firstName: 'Bob', status: null, source: null, groups: [] },
    });
  });

  it("allows B a contact with A's phone number: phones are unique per tenant", async () => {
    const res = await asB(
      'mutation($p: String!) { createContact(input: { firstName: "Twin", phone: $p }) { contact { phone } } }',
      { p: A.contact.phone },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ createContact: { contact: { phone: A.contact.phone } } });
  });
});

describe('the database', () => {
  const foreignKeyViolation = { code: '23503' };

  it("refuses a contact of B pointing at A's status or source", async () => {
    const db = t.database.db;
    const row = { tenant_id: b.tenant.id, first_name: 'Mallory', phone: testPhone() };
    await expect(
      db
        .insertInto('contacts')
        .values({ ...row, status_id: A.status.id })
        .execute(),
    ).rejects.toMatchObject(foreignKeyViolation);
    await expect(
      db
        .insertInto('contacts')
        .values({ ...row, source_id: A.source.id })
        .execute(),
    ).rejects.toMatchObject(foreignKeyViolation);
    await expect(
      db
        .updateTable('contacts')
        .set({ status_id: A.status.id })
        .where('id', '=', B.contact.id)
        .execute(),
    ).rejects.toMatchObject(foreignKeyViolation);
  });

  it("refuses a membership mixing A's and B's rows, under either tenant", async () => {
    const db = t.database.db;
    for (const values of [
      { tenant_id: b.tenant.id, group_id: B.group.id, contact_id: A.contact.id },
      { tenant_id: a.tenant.id, group_id: A.group.id, contact_id: B.contact.id },
      { tenant_id: b.tenant.id, group_id: A.group.id, contact_id: B.contact.id },
    ]) {
      await expect(db.insertInto('contact_groups').values(values).execute()).rejects.toMatchObject(
        foreignKeyViolation,
      );
    }
  });
});
