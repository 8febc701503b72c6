import type { EventBus } from '../events.js';

/**
 * What `authenticate` read for a (tenant subdomain, secret hash) pair, kept so that a client's
 * next requests skip that statement. The checks (revoked, expired, API access, the admin key's
 * hash) still run on every request, on the cached row.
 *
 * Correct revocation: an entry is dropped
 * - at once on this instance, when one of its requests changes the tenant's auth (`forget`);
 * - on every instance when the `auth_changed` event arrives (PostgreSQL NOTIFY, sent after the
 *   write by the repositories: revoke, update, API switch, admin key rotation — the CLI's too);
 * - after `ttlMs` in any case (a change made in SQL by hand, with no event).
 * While the event listener is disconnected nothing is cached or served from the cache, and the
 * cache is emptied when it is lost and when it is back, since events may have been missed.
 * A lookup that started before a forget (of any tenant) or a clear is not stored: its row may
 * predate the change.
 */
export class AuthCache<Row extends { id: string }> {
  private readonly entries = new Map<string, { row: Row; at: number }>();
  /** Moves on every forget and clear; a lookup stores its row only if it has not moved since. */
  private epoch = 0;
  private readonly unwatch: () => void;

  constructor(
    private readonly events: EventBus,
    private readonly options: { ttlMs: number; maxEntries: number },
  ) {
    this.unwatch = events.watch((event) => {
      if (!event) this.clear();
      else if (event.topic === 'auth_changed') this.forget(event.tenantId);
    });
  }

  /** The cached row for `key`, if any, fresh and usable. */
  get(key: string, now = Date.now()): Row | undefined {
    if (!this.usable()) return undefined;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (now - hit.at < this.options.ttlMs) return hit.row;
    this.entries.delete(key);
    return undefined;
  }

  /** Call before reading a row from the database; hand the result to `set`. */
  begin(): number {
    return this.epoch;
  }

  /** Keeps `row`, read after `begin()` returned `started`, unless auth changed meanwhile. */
  set(key: string, row: Row, started: number, now = Date.now()): void {
    if (!this.usable() || started !== this.epoch) return;
    if (this.entries.size >= this.options.maxEntries && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { row, at: now });
  }

  /** Drops every entry of the tenant (its tokens and its admin key). */
  forget(tenantId: string): void {
    this.epoch += 1;
    for (const [key, entry] of this.entries) {
      if (entry.row.id === tenantId) this.entries.delete(key);
    }
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  close(): void {
    this.unwatch();
    this.clear();
  }

  private usable(): boolean {
    return this.options.ttlMs > 0 && this.events.listening;
  }
}
