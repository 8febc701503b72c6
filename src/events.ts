import { Repeater } from 'graphql-yoga';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Events between server instances over PostgreSQL LISTEN/NOTIFY: a write publishes with `notify`
 * in its own transaction (so listeners hear of it only once it is committed), and every instance's
 * EventBus hears it, whichever instance wrote it. Payloads are small (ids and states); listeners
 * load what they show from the database.
 */
const CHANNEL = 'gateway_events';

export type BusEvent =
  | {
      topic: 'message_status';
      tenantId: string;
      messageId: string;
      contactId: string | null;
      status: string;
      previousStatus: string | null;
      occurredAt: string;
      eventId: string;
    }
  | { topic: 'auth_changed'; tenantId: string };

export async function notify(db: Kysely<any>, event: BusEvent): Promise<void> {
  await sql`select pg_notify(${CHANNEL}, ${JSON.stringify(event)})`.execute(db);
}

/**
 * Publishes each event, in order, with one statement (a batch's changes): listeners get one
 * notification per event, as from `notify`. Nothing is sent for an empty list.
 */
export async function notifyAll(db: Kysely<any>, events: readonly BusEvent[]): Promise<void> {
  if (events.length === 0) return;
  const payloads = events.map((event) => JSON.stringify(event));
  await sql`select pg_notify(${CHANNEL}, payload) from unnest(${payloads}::text[]) as payload`.execute(
    db,
  );
}

export class EventBus {
  private readonly listeners = new Map<string, Set<(event: BusEvent) => void>>();
  private readonly watchers = new Set<(event: BusEvent | undefined) => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once LISTEN is in place, so no event committed after it is missed. */
  async start(): Promise<void> {
    this.connecting ??= this.connect();
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        this.dispatch(JSON.parse(message.payload) as BusEvent);
      } catch (error) {
        this.logger.warn({ err: error }, 'unreadable event');
      }
    });
    client.on('error', (error) => this.reconnect(client, error));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
    for (const watcher of this.watchers) watcher(undefined);
  }

  /** True while LISTEN is in place: no event committed now can be missed. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /**
   * Calls `watcher` with every event of every tenant, and with undefined when events may have
   * been missed: the listening connection was lost (and again once it is back). Returns the
   * function that stops watching.
   */
  watch(watcher: (event: BusEvent | undefined) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private reconnect(client: pg.Client, error?: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    for (const watcher of this.watchers) watcher(undefined);
    this.logger.warn({ err: error }, 'event listener lost its connection; reconnecting');
    client.end().catch(() => {});
    const retry = () => {
      if (this.closed) return;
      this.connect().catch(() => setTimeout(retry, 1000));
    };
    setTimeout(retry, 200);
  }

  private dispatch(event: BusEvent): void {
    for (const watcher of this.watchers) watcher(event);
    for (const listener of this.listeners.get(event.tenantId) ?? []) listener(event);
  }

  /** Events of one tenant, until the consumer returns. */
  subscribe(tenantId: string): Repeater<BusEvent> {
    return new Repeater<BusEvent>(async (push, stop) => {
      const listener = (event: BusEvent) => void push(event);
      let set = this.listeners.get(tenantId);
      if (!set) this.listeners.set(tenantId, (set = new Set()));
      set.add(listener);
      await stop;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenantId);
    });
  }

  /** How many subscribers are listening (for metrics and tests). */
  listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}
