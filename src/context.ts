import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Database, Tenant } from './db/types.js';
import type { Principal } from './auth/principal.js';
import type { EventBus } from './events.js';
import type { GraphQLError } from 'graphql';
import type { AuthCache } from './auth/auth-cache.js';
import type { AuthRow } from './auth/authenticate.js';

/** What every resolver sees; one per request (and per subscription event for graphql-ws). */
export interface Context {
  db: Kysely<Database>;
  config: Config;
  tenant: Tenant;
  principal: Principal;
  /** The public base URL the client used, for apiInfo. */
  baseUrl: string;
  /** Cross-instance events (message statuses, auth changes). */
  events: EventBus;
  /**
   * Looked-up tokens and admin keys; a mutation that changes a tenant's auth calls
   * `forget(tenantId)` so this instance's next request already sees it.
   */
  authCache: AuthCache<AuthRow>;
  /** Wakes the in-process dispatcher after a message is queued (no-op without one). */
  wakeDispatcher: () => void;
  /** Set on graphql-ws connections: closes the socket when a live subscription loses its auth. */
  onAuthLost?: (error: GraphQLError) => void;
}
