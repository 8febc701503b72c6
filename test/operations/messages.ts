import { encodeId } from '../../src/ids.js';
import { enqueueMessage } from '../../src/messages/repo.js';
import type { MatrixContext, Operation, Requirement } from '../helpers/matrix.js';
import { templateFixture } from './templates.js';

/** Reading messages needs any one of the sending abilities (API.md). */
const READ: Requirement = {
  any: ['messages.send_text', 'messages.send_media', 'messages.send_template'],
};

/** A queued sandbox message in the tenant, written directly; returns its global id. */
export async function messageFixture({ t, tenant }: MatrixContext): Promise<string> {
  const { message } = await enqueueMessage(t.database.db, tenant.tenant.id, {
    contactId: null,
    toPhone: '+442079460958',
    message: { type: 'TEXT', content: { body: 'From the matrix', previewUrl: false } },
    templateId: null,
    idempotencyKey: null,
    transport: 'sandbox',
  });
  return encodeId('Message', message.id);
}

const TO = '{ phone: "+442079460958" }';

export const operations: Operation[] = [
  {
    name: 'sendTextMessage',
    requires: 'messages.send_text',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        `mutation { sendTextMessage(input: { to: ${TO}, body: "Hi" }) { message { id status } } }`,
      ),
  },
  {
    name: 'sendMediaMessage',
    requires: 'messages.send_media',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        `mutation { sendMediaMessage(input: { to: ${TO}, kind: IMAGE, link: "https://example.com/a.png" }) { message { id status } } }`,
      ),
  },
  {
    name: 'sendTemplateMessage',
    requires: 'messages.send_template',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        `mutation($id: ID!) {
          sendTemplateMessage(input: { to: ${TO}, templateId: $id, bodyParameters: ["Maria", "#1042", "$59.90"], buttonParameters: ["1042"] }) {
            message { id status }
          }
        }`,
        { id: (await templateFixture(ctx, 'order_confirmation')).id },
      ),
  },
  {
    name: 'messages',
    requires: READ,
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ messages(first: 5) { totalCount edges { node { id status to } } } }',
      ),
  },
  {
    name: 'message',
    requires: READ,
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { message(id: $id) { id status statusHistory { status } } }',
        { id: await messageFixture(ctx) },
      ),
  },
  {
    name: 'node(Message)',
    requires: READ,
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Message { status to } } }',
        { id: await messageFixture(ctx) },
      ),
  },
];
