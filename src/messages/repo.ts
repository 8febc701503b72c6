import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database, Message, MessageStatusEvent } from '../db/types.js';
import { type ConnectionArgs, paginate } from '../db/connection.js';
import { notifyAll } from '../events.js';
import type { MessageContent } from './content.js';
import type { MessageStatus } from './status.js';

export interface NewMessage {
  contactId: string | null;
  /**
   * With `contactId` null: link the message to the tenant's contact whose phone is `toPhone`, if
   * there is one (looked up by the statement that writes the message).
   */
  linkContactByPhone?: boolean;
  toPhone: string;
  message: MessageContent;
  templateId: string | null;
  idempotencyKey: string | null;
  transport: 'sandbox' | 'cloud';
}

export interface Enqueued {
  message: Message;
  replayed: boolean;
}

/**
 * Accepts a message into the outbox as QUEUED, with its first history entry, atomically: both
 * are committed when this resolves. Its `message_status` event is then published (NOTIFY, as
 * `notifyAll` does), before this resolves, so that no later status of it is heard first.
 * With an idempotency key already used in the tenant, nothing is written and the first message is
 * returned with `replayed: true` (the caller checks it is the same request).
 *
 * Group commit: a call writes at once when fewer than MAX_WRITERS writes are running; calls that
 * arrive while they all run (any tenant) are written together by the next one free, by one
 * statement (one commit, one WAL flush), each caller getting its own row. Of two calls with one
 * key, the first to arrive is written and the second replays it. When a batch fails on a row's
 * data (a constraint, a bad value), its calls are written again one by one, so that only that
 * row's caller gets the error.
 *
 * The event is published by a statement of its own, after the commit: a commit that NOTIFYs holds
 * PostgreSQL's notification lock through its WAL flush, which would make every accept wait for
 * the one before it. A crash between the two loses the QUEUED event only (as a listener that
 * reconnects may miss events): the message, its history and its later events are unaffected.
 */
export function enqueueMessage(
  db: Kysely<Database>,
  tenantId: string,
  input: NewMessage,
): Promise<Enqueued> {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = { queue: [], writing: 0 }));
  const queue = writer.queue;
  const promise = new Promise<Enqueued>((resolve, reject) => {
    queue.push({ id: randomUUID(), tenantId, input, resolve, reject });
  });
  if (writer.writing < MAX_WRITERS) void drain(db, writer);
  return promise;
}

/** The most calls one statement writes. */
const MAX_BATCH = 200;
/** Batches written at once, per database handle: PostgreSQL flushes their commits together. */
const MAX_WRITERS = 2;

interface Waiting {
  /** The new message's id, chosen here so that each caller finds its own row. */
  id: string;
  tenantId: string;
  input: NewMessage;
  resolve: (enqueued: Enqueued) => void;
  reject: (error: unknown) => void;
}

interface Writers {
  /** Calls not yet taken by a writer, in arrival order. */
  queue: Waiting[];
  /** Writers running. */
  writing: number;
}

/** Per database handle. */
const writers = new WeakMap<object, Writers>();

async function drain(db: Kysely<Database>, writer: Writers): Promise<void> {
  writer.writing += 1;
  try {
    while (writer.queue.length > 0) await writeBatch(db, writer.queue.splice(0, MAX_BATCH));
  } finally {
    writer.writing -= 1;
  }
}

/** Writes `batch` and settles each of its calls; never throws. */
async function writeBatch(db: Kysely<Database>, batch: Waiting[]): Promise<void> {
  try {
    const rows = await insertMessages(db, batch);
    await publishQueued(db, rows);
    const inserted = new Map(rows.map((row) => [row.id, row]));
    const replays = batch.filter((w) => !inserted.has(w.id));
    const firsts = await findByIdempotencyKeys(db, replays);
    for (const waiting of batch) {
      const message = inserted.get(waiting.id);
      if (message) {
        waiting.resolve({ message, replayed: false });
        continue;
      }
      const first = firsts.get(`${waiting.tenantId} ${waiting.input.idempotencyKey}`);
      if (first) waiting.resolve({ message: first, replayed: true });
      else waiting.reject(new Error(`message ${waiting.id} was neither written nor replayed`));
    }
  } catch (error) {
    if (batch.length > 1 && isRowError(error)) {
      for (const waiting of batch) await writeBatch(db, [waiting]);
    } else {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}

/**
 * The `message_status` events of messages just queued. Best effort: the messages are committed,
 * so their callers are answered whatever happens here.
 */
async function publishQueued(db: Kysely<Database>, messages: Message[]): Promise<void> {
  const events = messages.map((m) => ({
    topic: 'message_status' as const,
    tenantId: m.tenant_id,
    messageId: m.id,
    contactId: m.contact_id,
    status: 'QUEUED',
    previousStatus: null,
    occurredAt: m.created_at.toISOString(),
    eventId: `${m.id}:QUEUED`,
  }));
  await notifyAll(db, events).catch(() => {});
}

/**
 * A statement refused for its data (SQLSTATE class 22, data exception, or 23, integrity
 * constraint): it wrote nothing, so its rows may be written again. A lost connection is not one
 * of these: the batch may have been committed.
 */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * One statement: the messages (skipping keys already used, and later calls' repeats of a key in
 * this batch) and their QUEUED history entries. Returns the rows written.
 */
async function insertMessages(db: Kysely<Database>, batch: Waiting[]): Promise<Message[]> {
  const column = <T>(pick: (w: Waiting) => T) => batch.map(pick);
  const { rows } = await sql<Message>`
    with input as (
      select * from unnest(
        ${column((w) => w.id)}::uuid[], ${column((w) => w.tenantId)}::uuid[],
        ${column((w) => w.input.contactId)}::uuid[],
        ${column((w) => w.input.contactId == null && (w.input.linkContactByPhone ?? false))}::bool[],
        ${column((w) => w.input.toPhone)}::text[], ${column((w) => w.input.message.type)}::text[],
        ${column((w) => JSON.stringify(w.input.message.content))}::jsonb[],
        ${column((w) => w.input.templateId)}::uuid[], ${column((w) => w.input.idempotencyKey)}::text[],
        ${column((w) => w.input.transport)}::text[]
      ) with ordinality as i (id, tenant_id, contact_id, link, to_phone, type, content,
        template_id, idempotency_key, transport, ord)
    ),
    inserted as (
      insert into messages (id, tenant_id, contact_id, to_phone, type, content, template_id,
        idempotency_key, transport)
      select i.id, i.tenant_id,
        case when i.link
          then (select c.id from contacts c where c.tenant_id = i.tenant_id and c.phone = i.to_phone)
          else i.contact_id end,
        i.to_phone, i.type, i.content, i.template_id, i.idempotency_key, i.transport
      from input i order by i.ord
      on conflict (tenant_id, idempotency_key) do nothing
      returning *
    ),
    history as (
      insert into message_status_events (tenant_id, message_id, status, previous_status,
        occurred_at, source)
      select tenant_id, id, 'QUEUED', null, created_at, 'api' from inserted
    )
    select * from inserted`.execute(db);
  return rows;
}

/** The messages holding the idempotency keys of `calls`, by `<tenant id> <key>`. */
async function findByIdempotencyKeys(
  db: Kysely<Database>,
  calls: Waiting[],
): Promise<Map<string, Message>> {
  const keyed = calls.filter((w) => w.input.idempotencyKey != null);
  if (keyed.length === 0) return new Map();
  const { rows } = await sql<Message>`
    select m.* from messages m
    join unnest(${keyed.map((w) => w.tenantId)}::uuid[],
      ${keyed.map((w) => w.input.idempotencyKey)}::text[]) as k (tenant_id, idempotency_key)
      on m.tenant_id = k.tenant_id and m.idempotency_key = k.idempotency_key`.execute(db);
  return new Map(rows.map((row) => [`${row.tenant_id} ${row.idempotency_key}`, row]));
}

export async function findMessagesByIds(
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
): Promise<Message[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export interface MessageFilter {
  contactId?: string | null;
  status?: MessageStatus | null;
  type?: 'TEXT' | 'MEDIA' | 'TEMPLATE' | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** Newest first. */
export function listMessages(
  db: Kysely<Database>,
  tenantId: string,
  filter: MessageFilter,
  args: ConnectionArgs,
) {
  let query = db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.createdAfter) query = query.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query = query.where('created_at', '<', filter.createdBefore);
  return paginate(query, args, { column: 'created_at', direction: 'desc', type: 'timestamp' });
}

/** Status history of several messages, oldest first per message, in key order (DataLoader). */
export async function statusHistories(
  db: Kysely<Database>,
  tenantId: string,
  messageIds: readonly string[],
): Promise<MessageStatusEvent[][]> {
  const rows = messageIds.length
    ? await db
        .selectFrom('message_status_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('message_id', 'in', messageIds)
        .orderBy('id')
        .execute()
    : [];
  const byMessage = new Map<string, MessageStatusEvent[]>();
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(row);
    byMessage.set(row.message_id, list);
  }
  return messageIds.map((id) => byMessage.get(id) ?? []);
}
