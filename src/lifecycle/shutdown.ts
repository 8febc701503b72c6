import type { Server } from 'node:http';

/**
 * What a graceful stop needs beyond what node:http and graphql-ws offer: ending every live
 * subscription stream (SSE included) and closing an HTTP server once its in-flight requests are
 * answered, by a deadline.
 */

type Done<T> = IteratorReturnResult<T | undefined>;

/** Subscriptions in progress; `endAll()` completes each one as if its source had ended. */
export class OpenSubscriptions {
  private readonly enders = new Set<() => void>();

  get size(): number {
    return this.enders.size;
  }

  /**
   * The same stream, counted while open, ending when the source ends, the consumer returns, or
   * `endAll()` is called. `onValue` sees every value; `onClose` runs once, however it ended.
   */
  track<T>(
    source: AsyncIterable<T>,
    hooks: { onValue?: (value: T) => void; onOpen?: () => void; onClose?: () => void } = {},
  ): AsyncIterableIterator<T> {
    const iterator = source[Symbol.asyncIterator]();
    const done: Done<T> = { done: true, value: undefined };
    let ended = false;
    let signal!: (result: Done<T>) => void;
    const endedByUs = new Promise<Done<T>>((resolve) => (signal = resolve));
    const finish = () => {
      if (ended) return;
      ended = true;
      this.enders.delete(end);
      signal(done);
      hooks.onClose?.();
    };
    const end = () => {
      finish();
      void Promise.resolve(iterator.return?.()).catch(() => {});
    };
    this.enders.add(end);
    hooks.onOpen?.();
    return {
      async next() {
        if (ended) return done;
        try {
          const result = await Promise.race([iterator.next(), endedByUs]);
          if (result.done) finish();
          else hooks.onValue?.(result.value);
          return result;
        } catch (error) {
          finish();
          throw error;
        }
      },
      async return() {
        finish();
        await iterator.return?.();
        return done;
      },
      async throw(error: unknown) {
        finish();
        if (iterator.throw) return iterator.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  endAll(): void {
    for (const end of [...this.enders]) end();
  }
}

/**
 * Stops accepting connections at once, lets requests in flight finish, and closes each keep-alive
 * connection as soon as it is idle; at the deadline, closes whatever is left. Resolves with how it
 * ended. Connections upgraded to WebSocket are not HTTP's to close: graphql-ws closes those.
 */
export function closeHttpServer(
  server: Server,
  deadlineMs: number,
): Promise<'drained' | 'deadline'> {
  return new Promise((resolve) => {
    const finish = (how: 'drained' | 'deadline') => {
      clearInterval(idle);
      clearTimeout(deadline);
      resolve(how);
    };
    // A response finished while draining leaves its connection idle (or closed: `connection:
    // close` is set on responses then); idle ones are closed on the next tick of this.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish('deadline');
    }, deadlineMs);
    server.close(() => finish('drained'));
    server.closeIdleConnections();
  });
}
