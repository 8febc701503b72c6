import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Database, Tenant } from './db/types.js';
import type { Principal } from './auth/principal.js';

/** What every resolver sees; one per request (and per subscription event for graphql-ws). */
export interface Context {
  db: Kysely<Database>;
  config: Config;
  tenant: Tenant;
  principal: Principal;
  /** The public base URL the client used, for apiInfo. */
  baseUrl: string;
}
