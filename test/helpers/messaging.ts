import { randomBytes, randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { notify } from '../../src/events.js';
import { encodeId } from '../../src/ids.js';
import { applyStatus } from '../../src/messages/delivery.js';
import { enqueueMessage } from '../../src/messages/repo.js';
import { graphql } from '../generated/gql.js';
import type { MessageStatusChangedSubscription } from '../generated/graphql.js';
import type { TestApp, TestTenant } from './test-app.js';

/**
 * Pieces the messaging tests share: a graphql-ws subscriber of `messageStatusChanged` on a real
 * socket, messages already accepted by WhatsApp (for webhooks to move on), and the tenant's
 * WhatsApp connection.
 */
export const STATUS_CHANGED = graphql(`
  subscription MessageStatusChanged($messageId: ID, $contactId: ID) {
    messageStatusChanged(messageId: $messageId, contactId: $contactId) {
      status
      previousStatus
      occurredAt
      error {
        code
        title
        message
        details
      }
      message {
        id
        status
        wamid
        attempts
      }
    }
  }
`);

export type StatusEvent = MessageStatusChangedSubscription['messageStatusChanged'];

/** Readiness probes are published as having happened in 1970, and left out of `events`. */
export const isProbe = (event: { occurredAt: string }) => event.occurredAt.startsWith('1970-');
let probes = 0;

export interface Subscriber {
  /** The events received, readiness probes left out. */
  events: StatusEvent[];
  /** GraphQL errors received (in a result, or refusing the subscription). */
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** How the socket closed, and when the first error or the close reached the client. */
  closed: { code: number; reason: string } | undefined;
  endedAt: number | undefined;
  /**
   * Resolves once an event published now reaches the subscriber (see `probe`): it is listening,
   * and every event published before has been delivered to it (each subscription keeps order).
   */
  ready(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Publishes an event a subscription with `filter` lets through (same tenant, message, contact),
 * dated in 1970 (see `isProbe`); the server only delivers it once the subscription listens.
 * Resolves to its `occurredAt`, which tells it from other probes.
 */
export async function probe(
  t: TestApp,
  tenant: TestTenant,
  filter: { messageId?: string; contactId?: string } = {},
): Promise<string> {
  const occurredAt = new Date((probes += 1)).toISOString();
  await notify(t.database.db, {
    topic: 'message_status',
    tenantId: tenant.tenant.id,
    messageId: filter.messageId ?? randomUUID(),
    contactId: filter.contactId ?? null,
    status: 'QUEUED',
    previousStatus: null,
    occurredAt,
    eventId: 'probe',
  });
  return occurredAt;
}

/** A graphql-ws client of the tenant's endpoint, connected at once, that never retries. */
export function wsClient(
  t: TestApp,
  tenant: TestTenant,
  secret: string,
  onClosed: (event: { code: number; reason: string }) => void,
) {
  return createClient({
    url: `${t.url.replace(/^http/, 'ws')}/api/v1/${tenant.subdomain}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${secret}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: { closed: (event) => onClosed(event as { code: number; reason: string }) },
  });
}

/** Subscribes over graphql-ws; `filter` takes database ids (encoded here). */
export function subscribeStatuses(
  t: TestApp,
  tenant: TestTenant,
  secret: string,
  filter: { messageId?: string; contactId?: string } = {},
): Subscriber {
  const client = wsClient(t, tenant, secret, ({ code, reason }) => {
    sub.closed = { code, reason };
    sub.endedAt ??= Date.now();
  });
  const probesSeen = new Set<string>();
  const sub: Subscriber = {
    events: [],
    errors: [],
    closed: undefined,
    endedAt: undefined,
    async ready() {
      // A bounded wait (not expect.poll, so that beforeAll may use it too).
      const mine: string[] = [];
      const deadline = Date.now() + 10_000;
      while (!mine.some((p) => probesSeen.has(p)) && sub.endedAt === undefined) {
        if (Date.now() > deadline) throw new Error('No probe reached the subscriber.');
        mine.push(await probe(t, tenant, filter));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sub.errors).toEqual([]);
    },
    dispose: async () => {
      await client.dispose();
    },
  };
  client.subscribe<MessageStatusChangedSubscription>(
    {
      query: print(STATUS_CHANGED),
      variables: {
        messageId: filter.messageId && encodeId('Message', filter.messageId),
        contactId: filter.contactId && encodeId('Contact', filter.contactId),
      },
    },
    {
      next: (result) => {
        if (result.errors) {
          sub.errors.push(...(result.errors as Subscriber['errors']));
          sub.endedAt ??= Date.now();
        }
        const event = result.data?.messageStatusChanged;
        if (!event) return;
        if (isProbe(event)) probesSeen.add(event.occurredAt);
        else sub.events.push(event);
      },
      error: (error) => {
        if (Array.isArray(error)) sub.errors.push(...error);
        sub.endedAt ??= Date.now();
      },
      complete: () => {},
    },
  );
  return sub;
}

/** The statuses a subscriber saw for one message (database id), in order. */
export function statusesOf(sub: Subscriber, messageId: string): string[] {
  const id = encodeId('Message', messageId);
  return sub.events.filter((e) => e.message?.id === id).map((e) => e.status);
}

export const randomWamid = () => `wamid.HBgL${randomBytes(12).toString('hex').toUpperCase()}`;

/**
 * A cloud message WhatsApp has accepted, as the dispatcher leaves it: SENT with its wamid.
 * Returns the database id and the wamid.
 */
export async function acceptedMessage(
  t: TestApp,
  tenant: TestTenant,
  options: { contactId?: string; toPhone?: string; wamid?: string | null } = {},
): Promise<{ id: string; wamid: string }> {
  const { message } = await enqueueMessage(t.database.db, tenant.tenant.id, {
    contactId: options.contactId ?? null,
    toPhone: options.toPhone ?? '+442079460958',
    message: { type: 'TEXT', content: { body: 'Hello', previewUrl: false } },
    templateId: null,
    idempotencyKey: null,
    transport: 'cloud',
  });
  const wamid = options.wamid === undefined ? randomWamid() : options.wamid;
  if (wamid) {
    await applyStatus(t.database.db, {
      tenantId: tenant.tenant.id,
      messageId: message.id,
      wamid,
      status: 'SENT',
      occurredAt: new Date(),
      source: 'dispatcher',
    });
  }
  return { id: message.id, wamid: wamid ?? '' };
}

/** Sets the tenant's WhatsApp connection as its admin would. */
export async function connectWhatsApp(
  t: TestApp,
  tenant: TestTenant,
  phoneNumberId: string,
  accessToken = `EAAG${randomBytes(24).toString('hex')}`,
): Promise<string> {
  const res = await t.gql(
    tenant.subdomain,
    tenant.adminKey,
    `mutation($input: SetWhatsAppConnectionInput!) {
      setWhatsAppConnection(input: $input) { whatsAppConnection { connected } }
    }`,
    { input: { phoneNumberId, wabaId: '102290129340398', accessToken } },
  );
  expect(res.body.errors).toBeUndefined();
  return accessToken;
}
