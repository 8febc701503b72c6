import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createGroup } from '../src/groups/repo.js';
import {
  codes,
  startTestApp,
  uniqueName,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';
import { graphql } from './generated/gql.js';
import { makeContact } from './operations/contacts.js';

const CREATE = graphql(`
  mutation CreateGroup($input: CreateGroupInput!) {
    createGroup(input: $input) {
      group {
        id
        name
        description
        contactCount
      }
    }
  }
`);
const UPDATE = graphql(`
  mutation UpdateGroup($input: UpdateGroupInput!) {
    updateGroup(input: $input) {
      group {
        id
        name
        description
      }
    }
  }
`);
const DELETE = graphql(`
  mutation DeleteGroup($id: ID!) {
    deleteGroup(input: { id: $id }) {
      deletedGroupId
    }
  }
`);
const ADD = graphql(`
  mutation AddContactsToGroup($groupId: ID!, $contactIds: [ID!]!) {
    addContactsToGroup(input: { groupId: $groupId, contactIds: $contactIds }) {
      addedCount
      group {
        id
        contactCount
      }
    }
  }
`);
const REMOVE = graphql(`
  mutation RemoveContactsFromGroup($groupId: ID!, $contactIds: [ID!]!) {
    removeContactsFromGroup(input: { groupId: $groupId, contactIds: $contactIds }) {
      removedCount
      group {
        id
        contactCount
      }
    }
  }
`);
const MEMBERS = graphql(`
  query GroupContacts($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      ... on Group {
        name
        contactCount
        contacts(first: $first, after: $after, orderBy: { field: FIRST_NAME, direction: ASC }) {
          totalCount
          edges {
            node {
              firstName
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => t.stop());

const newGroup = async () =>
  encodeId(
    'Group',
    (
      await createGroup(t.database.db, tenant.tenant.id, {
        name: uniqueName('g'),
        description: null,
      })
    ).id,
  );
const newContact = async (firstName = 'Ada') =>
  encodeId(
    'Contact',
    (await makeContact(t.database.db, tenant.tenant.id, { first_name: firstName })).id,
  );
const members = async (groupId: string) =>
  (await t.gql(tenant.subdomain, token, MEMBERS, { id: groupId, first: 100 })).body.data!.node;

describe('groups', () => {
  it('creates, updates, clears the description of and deletes a group', async () => {
    const created = await t.gql(tenant.subdomain, token, CREATE, {
      input: { name: ' Newsletter ', description: ' Monthly news ' },
    });
    expect(created.body.errors).toBeUndefined();
    const group = created.body.data!.createGroup!.group!;
    expect(group).toMatchObject({
      name: 'Newsletter',
      description: 'Monthly news',
      contactCount: 0,
    });

    const renamed = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: group.id, name: 'Weekly newsletter' },
    });
    expect(renamed.body.data!.updateGroup!.group).toEqual({
      id: group.id,
      name: 'Weekly newsletter',
      description: 'Monthly news',
    });
    const cleared = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: group.id, description: null },
    });
    expect(cleared.body.data!.updateGroup!.group!.description).toBeNull();

    const deleted = await t.gql(tenant.subdomain, token, DELETE, { id: group.id });
    expect(deleted.body.data!.deleteGroup!.deletedGroupId).toBe(group.id);
    expect(codes(await t.gql(tenant.subdomain, token, DELETE, { id: group.id }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('refuses an empty name with BAD_USER_INPUT, and a name taken in any case as CONFLICT', async () => {
    const empty = await t.gql(tenant.subdomain, token, CREATE, { input: { name: ' ' } });
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    expect(empty.body.errors![0]!.extensions?.field).toBe('name');
    await t.gql(tenant.subdomain, token, CREATE, { input: { name: 'VIP' } });
    const taken = await t.gql(tenant.subdomain, token, CREATE, { input: { name: 'vip' } });
    expect(codes(taken)).toEqual(['CONFLICT']);
    expect(taken.body.errors![0]!.extensions?.field).toBe('name');
  });

  it('refuses a page over 100 with BAD_USER_INPUT', async () => {
    const res = await t.gql(tenant.subdomain, token, '{ groups(first: 500) { totalCount } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('first');
  });
});

describe('group membership', () => {
  it('adds and removes contacts idempotently, and lists them by page', async () => {
    const group = await newGroup();
    const [ada, bea, cy] = [
      await newContact('Ada'),
      await newContact('Bea'),
      await newContact('Cy'),
    ];
    const added = await t.gql(tenant.subdomain, token, ADD, {
      groupId: group,
      contactIds: [ada, bea, ada],
    });
    expect(added.body.data!.addContactsToGroup).toEqual({
      addedCount: 2,
      group: { id: group, contactCount: 2 },
    });
    const again = await t.gql(tenant.subdomain, token, ADD, {
      groupId: group,
      contactIds: [bea, cy],
    });
    expect(again.body.data!.addContactsToGroup!.addedCount).toBe(1);

    const firstPage = await t.gql(tenant.subdomain, token, MEMBERS, { id: group, first: 2 });
    const page = firstPage.body.data!.node as any;
    expect(page.contactCount).toBe(3);
    expect(page.contacts.totalCount).toBe(3);
    expect(page.contacts.edges.map((e: any) => e.node.firstName)).toEqual(['Ada', 'Bea']);
    const next = await t.gql(tenant.subdomain, token, MEMBERS, {
      id: group,
      first: 2,
      after: page.contacts.pageInfo.endCursor,
    });
    expect((next.body.data!.node as any).contacts.edges.map((e: any) => e.node.firstName)).toEqual([
      'Cy',
    ]);

    const removed = await t.gql(tenant.subdomain, token, REMOVE, {
      groupId: group,
      contactIds: [ada, cy],
    });
    expect(removed.body.data!.removeContactsFromGroup).toEqual({
      removedCount: 2,
      group: { id: group, contactCount: 1 },
    });
    const twice = await t.gql(tenant.subdomain, token, REMOVE, {
      groupId: group,
      contactIds: [ada],
    });
    expect(twice.body.data!.removeContactsFromGroup!.removedCount).toBe(0);
  });

  it('refuses an unknown contact or group as NOT_FOUND naming the id, and changes nothing', async () => {
    const group = await newGroup();
    const ada = await newContact();
    const unknown = encodeId('Contact', '00000000-0000-4000-8000-000000000000');
    for (const mutation of [ADD, REMOVE]) {
      const res = await t.gql(tenant.subdomain, token, mutation as typeof ADD, {
        groupId: group,
        contactIds: [ada, unknown],
      });
      expect(codes(res)).toEqual(['NOT_FOUND']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ id: unknown, field: 'contactIds' });
      expect(res.body.errors![0]!.message).toContain(unknown);
    }
    expect(((await members(group)) as any).contactCount).toBe(0);

    const noGroup = encodeId('Group', '00000000-0000-4000-8000-000000000000');
    const res = await t.gql(tenant.subdomain, token, ADD, { groupId: noGroup, contactIds: [ada] });
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ id: noGroup, field: 'groupId' });

    const wrongType = await t.gql(tenant.subdomain, token, ADD, {
      groupId: group,
      contactIds: [group],
    });
    expect(codes(wrongType)).toEqual(['BAD_USER_INPUT']);
    expect(wrongType.body.errors![0]!.extensions?.field).toBe('contactIds');
  });

  it('deleting a contact removes its memberships; deleting a group keeps its contacts', async () => {
    const [group, other] = [await newGroup(), await newGroup()];
    const [ada, bea] = [await newContact('Ada'), await newContact('Bea')];
    await t.gql(tenant.subdomain, token, ADD, { groupId: group, contactIds: [ada, bea] });
    await t.gql(tenant.subdomain, token, ADD, { groupId: other, contactIds: [bea] });
    const deleted = await t.gql(
      tenant.subdomain,
      token,
      'mutation($id: ID!) { deleteContact(input: { id: $id }) { deletedContactId } }',
      { id: ada },
    );
    expect(deleted.body.errors).toBeUndefined();
    expect(await members(group)).toMatchObject({
      contactCount: 1,
      contacts: { edges: [{ node: { firstName: 'Bea' } }] },
    });

    await t.gql(tenant.subdomain, token, DELETE, { id: group });
    const bea2 = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { contact(id: $id) { firstName groups { id } } }',
      { id: bea },
    );
    expect(bea2.body.data).toEqual({ contact: { firstName: 'Bea', groups: [{ id: other }] } });
  });

  it('Group.contacts needs contacts.read; a groups.read token gets the group and FORBIDDEN there', async () => {
    const group = await newGroup();
    await t.gql(tenant.subdomain, token, ADD, { groupId: group, contactIds: [await newContact()] });
    const secret = await t.createToken(tenant, ['groups.read']);
    const res = await t.gql(tenant.subdomain, secret, MEMBERS, { id: group, first: 10 });
    expect(res.body.data!.node).toMatchObject({ contactCount: 1, contacts: null });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.body.errors![0]!.path).toEqual(['node', 'contacts']);
    expect(res.body.errors![0]!.message).toContain('"contacts.read"');
  });

  it('membership changes need groups.update, and show the group to a token without groups.read', async () => {
    const group = await newGroup();
    const ada = await newContact();
    const reader = await t.createToken(tenant, ['groups.read', 'contacts.read']);
    const refused = await t.gql(tenant.subdomain, reader, ADD, {
      groupId: group,
      contactIds: [ada],
    });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.body.errors![0]!.message).toContain('"groups.update"');
    const updater = await t.createToken(tenant, ['groups.update']);
    const res = await t.gql(tenant.subdomain, updater, ADD, { groupId: group, contactIds: [ada] });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.addContactsToGroup).toEqual({
      addedCount: 1,
      group: { id: group, contactCount: 1 },
    });
  });
});
