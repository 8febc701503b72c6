import { decodeId } from '../../src/ids.js';
import type { MatrixContext, Requirement } from './matrix.js';
import { uniqueName } from './test-app.js';
import { contactFixture, testPhone } from '../operations/contacts.js';
import { statusFixture } from '../operations/core.js';
import { sourceFixture } from '../operations/sources.js';
import { groupFixture } from '../operations/groups.js';
import { templateFixture } from '../operations/templates.js';
import { messageBotFixture, templateBotFixture } from '../operations/bots.js';
import { messageFixture } from '../operations/messages.js';

/** One REST call, with what it needs already made in the tenant's database. */
export interface RestCallFixture {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One row of the contract's route table (API.md "The REST face"): the ability the route needs and
 * the status of its success, written from the contract (not read from the route definitions, so a
 * route that declares or enforces the wrong ability is caught), and how to make a valid call.
 */
export interface RestFixture {
  requires: Requirement;
  /** 201 for a create, 202 for a queued send, else 200. */
  status: 200 | 201 | 202;
  prepare(ctx: MatrixContext): Promise<RestCallFixture>;
}

const MESSAGE_READ: Requirement = {
  any: ['messages.send_text', 'messages.send_media', 'messages.send_template'],
};
const TO = '+442079460958';

const withId =
  (fixture: (ctx: MatrixContext) => Promise<string>, body?: () => unknown) =>
  async (ctx: MatrixContext): Promise<RestCallFixture> => ({
    params: { id: await fixture(ctx) },
    ...(body && { body: body() }),
  });

/** The five routes of a CRUD resource (contacts, statuses, sources, groups). */
function crud(
  path: string,
  ability: 'contacts' | 'statuses' | 'sources' | 'groups',
  fixture: (ctx: MatrixContext) => Promise<string>,
  createBody: () => unknown,
  updateBody: () => unknown,
): Record<string, RestFixture> {
  return {
    [`GET ${path}`]: { requires: `${ability}.read`, status: 200, prepare: async () => ({}) },
    [`POST ${path}`]: {
      requires: `${ability}.create`,
      status: 201,
      prepare: async () => ({ body: createBody() }),
    },
    [`GET ${path}/{id}`]: { requires: `${ability}.read`, status: 200, prepare: withId(fixture) },
    [`PUT ${path}/{id}`]: {
      requires: `${ability}.update`,
      status: 200,
      prepare: withId(fixture, updateBody),
    },
    [`PATCH ${path}/{id}`]: {
      requires: `${ability}.update`,
      status: 200,
      prepare: withId(fixture, updateBody),
    },
    [`DELETE ${path}/{id}`]: {
      requires: `${ability}.delete`,
      status: 200,
      prepare: withId(fixture),
    },
  };
}

/** A group holding one contact; the ids of both. */
async function groupWithMember(ctx: MatrixContext) {
  const [group, contact] = [await groupFixture(ctx), await contactFixture(ctx)];
  await ctx.t.database.db
    .insertInto('contact_groups')
    .values({
      tenant_id: ctx.tenant.tenant.id,
      group_id: decodeId(group).id,
      contact_id: decodeId(contact).id,
    })
    .execute();
  return { group, contact };
}

/** Every route of the contract, keyed `METHOD /path` as in `RestRoute`. */
export const REST_FIXTURES: Record<string, RestFixture> = {
  ...crud(
    '/contacts',
    'contacts',
    contactFixture,
    () => ({ first_name: 'Grace', last_name: 'Hopper', phone: testPhone() }),
    () => ({ company: 'Acme' }),
  ),
  ...crud(
    '/statuses',
    'statuses',
    statusFixture,
    () => ({ name: uniqueName('st'), color: '#123456' }),
    () => ({ color: '#abcdef' }),
  ),
  ...crud(
    '/sources',
    'sources',
    sourceFixture,
    () => ({ name: uniqueName('src') }),
    () => ({ name: uniqueName('src') }),
  ),
  ...crud(
    '/groups',
    'groups',
    groupFixture,
    () => ({ name: uniqueName('grp'), description: 'made over REST' }),
    () => ({ description: 'changed over REST' }),
  ),
  'POST /groups/{id}/contacts': {
    requires: 'groups.update',
    status: 200,
    prepare: async (ctx) => ({
      params: { id: await groupFixture(ctx) },
      body: { contact_ids: [await contactFixture(ctx)] },
    }),
  },
  'DELETE /groups/{id}/contacts': {
    requires: 'groups.update',
    status: 200,
    prepare: async (ctx) => {
      const { group, contact } = await groupWithMember(ctx);
      return { params: { id: group }, body: { contact_ids: [contact] } };
    },
  },
  'GET /templates': { requires: 'templates.read', status: 200, prepare: async () => ({}) },
  'GET /templates/{id}': {
    requires: 'templates.read',
    status: 200,
    prepare: withId(async (ctx) => (await templateFixture(ctx)).id),
  },
  'GET /message-bots': { requires: 'message_bots.read', status: 200, prepare: async () => ({}) },
  'GET /message-bots/{id}': {
    requires: 'message_bots.read',
    status: 200,
    prepare: withId(messageBotFixture),
  },
  'GET /template-bots': { requires: 'template_bots.read', status: 200, prepare: async () => ({}) },
  'GET /template-bots/{id}': {
    requires: 'template_bots.read',
    status: 200,
    prepare: withId(templateBotFixture),
  },
  'POST /messages/text': {
    requires: 'messages.send_text',
    status: 202,
    prepare: async () => ({ body: { phone_number: TO, message: 'Hi from REST' } }),
  },
  'POST /messages/media': {
    requires: 'messages.send_media',
    status: 202,
    prepare: async () => ({
      body: {
        phone_number: TO,
        media_type: 'image',
        media_url: 'https://example.com/a.png',
        caption: 'A picture',
      },
    }),
  },
  'POST /messages/template': {
    requires: 'messages.send_template',
    status: 202,
    prepare: async (ctx) => {
      await templateFixture(ctx, 'order_confirmation');
      return {
        body: {
          phone_number: TO,
          template_name: 'order_confirmation',
          template_language: 'en_US',
          body_parameters: ['Maria', '#1042', '$59.90'],
          button_parameters: ['1042'],
        },
      };
    },
  },
  'GET /messages/{id}': { requires: MESSAGE_READ, status: 200, prepare: withId(messageFixture) },
};

/** Everything of one tenant that a REST write could change, as the database holds it. */
export async function snapshotTenant({ t, tenant }: MatrixContext) {
  const db = t.database.db;
  const id = tenant.tenant.id;
  const of = (table: 'statuses' | 'sources' | 'groups' | 'contacts' | 'contact_groups') =>
    db.selectFrom(table).selectAll().where('tenant_id', '=', id).execute();
  const [statuses, sources, groups, contacts, memberships, messages] = await Promise.all([
    of('statuses'),
    of('sources'),
    of('groups'),
    of('contacts'),
    of('contact_groups'),
    // Only which messages exist: a dispatcher may move their status on meanwhile.
    db.selectFrom('messages').select('id').where('tenant_id', '=', id).orderBy('id').execute(),
  ]);
  const byKey = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    statuses: byKey(statuses),
    sources: byKey(sources),
    groups: byKey(groups),
    contacts: byKey(contacts),
    memberships: byKey(memberships),
    messages: messages.map((m) => m.id),
  };
}
