import type { Kysely } from 'kysely';
import { createContact } from '../../src/contacts/repo.js';
import type { Contact, Database, NewContact } from '../../src/db/types.js';
import { encodeId } from '../../src/ids.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';

let phones = Math.floor(Math.random() * 900_000);

/** A valid UK mobile number in E.164, different on every call within a test file. */
export function testPhone(): string {
  phones = (phones + 1) % 1_000_000;
  return `+447400${String(phones).padStart(6, '0')}`;
}

/** A contact made directly in the database. */
export function makeContact(
  db: Kysely<Database>,
  tenantId: string,
  values: Partial<Omit<NewContact, 'tenant_id'>> = {},
): Promise<Contact> {
  return createContact(db, tenantId, { first_name: 'Ada', phone: testPhone(), ...values });
}

/** A new contact of the tenant; its global id. */
export const contactFixture = async ({ t, tenant }: MatrixContext) =>
  encodeId('Contact', (await makeContact(t.database.db, tenant.tenant.id)).id);

export const operations: Operation[] = [
  {
    name: 'contacts',
    requires: 'contacts.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ contacts(first: 5) { totalCount edges { node { id firstName phone } } } }',
      ),
  },
  {
    name: 'contact',
    requires: 'contacts.read',
    run: async (ctx, s) =>
      ctx.t.gql(ctx.tenant.subdomain, s, 'query($id: ID!) { contact(id: $id) { id phone } }', {
        id: await contactFixture(ctx),
      }),
  },
  {
    name: 'node(Contact)',
    requires: 'contacts.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Contact { firstName } } }',
        { id: await contactFixture(ctx) },
      ),
  },
  {
    name: 'createContact',
    requires: 'contacts.create',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($p: String!) { createContact(input: { firstName: "Grace", phone: $p }) { contact { id phone } } }',
        { p: testPhone() },
      ),
  },
  {
    name: 'updateContact',
    requires: 'contacts.update',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { updateContact(input: { id: $id, company: "Acme" }) { contact { id } } }',
        { id: await contactFixture(ctx) },
      ),
  },
  {
    name: 'deleteContact',
    requires: 'contacts.delete',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { deleteContact(input: { id: $id }) { deletedContactId } }',
        { id: await contactFixture(ctx) },
      ),
  },
];
