import { Repeater } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import { MESSAGE_READ_ABILITIES } from '../auth/abilities.js';
import { stillAuthorized } from '../auth/authenticate.js';
import { isSharedExecution } from '../subscriptions/shared-execution.js';
import type { Context } from '../context.js';
import type { BusEvent } from '../events.js';
import type { Message, MessageError } from '../db/types.js';
import { decodeIdOf } from '../ids.js';
import { MessageErrorRef, MessageNode, MessageStatusEnum } from './schema.js';
import type { MessageStatus } from './status.js';
import * as repo from './repo.js';

type StatusEvent = Extract<BusEvent, { topic: 'message_status' }>;

interface Delivered {
  event: StatusEvent;
  message: Message | undefined;
}

/**
 * `messageStatusChanged`: live status changes of the tenant's messages, from whichever instance
 * applied them (PostgreSQL LISTEN/NOTIFY). Authorised on subscribe; re-checked whenever the
 * tenant's tokens or API access change and when the token expires: a subscription whose token no
 * longer works gets one UNAUTHENTICATED (or API_ACCESS_DISABLED) error and ends.
 *
 * Subscribers with the same document, variables and abilities share one execution per event
 * (src/subscriptions/shared-execution.ts), which re-checks their auth per principal with
 * `revalidateStatusSubscriber`; a subscription run alone checks its own (`watchStatuses`).
 */
const MessageStatusChangedEvent = builder
  .objectRef<Delivered>('MessageStatusChangedEvent')
  .implement({
    fields: (t) => ({
      message: t.field({
        type: MessageNode,
        nullable: true,
        description: 'The message as it is now (null if it was deleted since).',
        resolve: (d) => d.message ?? null,
      }),
      status: t.field({ type: MessageStatusEnum, resolve: (d) => d.event.status as MessageStatus }),
      previousStatus: t.field({
        type: MessageStatusEnum,
        nullable: true,
        resolve: (d) => d.event.previousStatus as MessageStatus | null,
      }),
      occurredAt: t.field({ type: 'DateTime', resolve: (d) => new Date(d.event.occurredAt) }),
      error: t.field({
        type: MessageErrorRef,
        nullable: true,
        resolve: (d) =>
          d.event.status === 'FAILED' ? ((d.message?.error as MessageError | null) ?? null) : null,
      }),
    }),
  });

builder.subscriptionField('messageStatusChanged', (t) =>
  t.field({
    type: MessageStatusChangedEvent,
    description:
      "Status changes of messages, as they happen. Narrow it to one message or one contact, or omit both for all of the tenant's messages. Needs a messages.send_* ability.",
    authScopes: { anyAbility: MESSAGE_READ_ABILITIES },
    args: {
      messageId: t.arg.id(),
      contactId: t.arg.id(),
    },
    subscribe: (_root, args, context) => {
      const messageId = args.messageId
        ? decodeIdOf('Message', String(args.messageId), 'messageId')
        : undefined;
      const contactId = args.contactId
        ? decodeIdOf('Contact', String(args.contactId), 'contactId')
        : undefined;
      const wanted = (e: StatusEvent) =>
        (!messageId || e.messageId === messageId) && (!contactId || e.contactId === contactId);
      return isSharedExecution(context)
        ? statusEvents(context, wanted)
        : watchStatuses(context, wanted);
    },
    resolve: (delivered) => {
      if (delivered instanceof Error) throw delivered;
      return delivered;
    },
  }),
);

/** An event's message, loaded by its first subscriber; the others share it for a few seconds. */
const eventMessages = new Map<string, Promise<Message | undefined>>();
const EVENT_MESSAGE_MS = 5_000;

function messageOfEvent(context: Context, event: StatusEvent): Promise<Message | undefined> {
  const key = `${context.tenant.id} ${event.eventId}`;
  let message = eventMessages.get(key);
  if (!message) {
    message = repo
      .findMessagesByIds(context.db, context.tenant.id, [event.messageId])
      .then(([row]) => row);
    eventMessages.set(key, message);
    // A failed load is not shared: the next subscriber tries again.
    message.catch(() => eventMessages.delete(key));
    setTimeout(() => eventMessages.delete(key), EVENT_MESSAGE_MS).unref();
  }
  return message;
}

/** Undefined while the subscriber may go on; else the error that ends its subscription. */
export function revalidateStatusSubscriber(context: Context): Promise<GraphQLError | undefined> {
  return stillAuthorized(context.db, context.tenant.id, context.principal, MESSAGE_READ_ABILITIES);
}

/**
 * The tenant's status events `wanted`, each with its message, for a shared execution: the
 * subscribers' auth is the group's to check.
 */
function statusEvents(
  context: Context,
  wanted: (event: StatusEvent) => boolean,
): AsyncIterable<Delivered> {
  const events = context.events.subscribe(context.tenant.id);
  return new Repeater<Delivered>(async (push, stop) => {
    const pump = (async () => {
      for await (const event of events) {
        if (event.topic !== 'message_status' || !wanted(event)) continue;
        await push({ event, message: await messageOfEvent(context, event) });
      }
    })().catch((error: unknown) => stop(error));
    await stop;
    await events.return();
    await pump.catch(() => {});
  });
}

function watchStatuses(
  context: Context,
  wanted: (event: StatusEvent) => boolean,
): AsyncIterable<Delivered | GraphQLError> {
  const events = context.events.subscribe(context.tenant.id);
  return new Repeater<Delivered | GraphQLError>(async (push, stop) => {
    let expiry: NodeJS.Timeout | undefined;
    const lost = async () => {
      const problem = await revalidateStatusSubscriber(context);
      if (!problem) return false;
      await push(problem);
      context.onAuthLost?.(problem);
      stop();
      return true;
    };
    if (context.principal.kind === 'token' && context.principal.expiresAt) {
      const ms = context.principal.expiresAt.getTime() - Date.now();
      expiry = setTimeout(() => void lost(), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    }
    const pump = (async () => {
      for await (const event of events) {
        if (event.topic === 'auth_changed') {
          if (await lost()) break;
          continue;
        }
        if (!wanted(event)) continue;
        // Fresh from the database for every event (never a stale message), once per event for
        // all of this instance's subscribers.
        const message = await messageOfEvent(context, event);
        await push({ event, message });
      }
    })();
    await stop;
    clearTimeout(expiry);
    await events.return();
    await pump.catch(() => {});
  });
}
