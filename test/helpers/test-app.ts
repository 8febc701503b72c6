import { randomBytes } from 'node:crypto';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pg from 'pg';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { createTenant } from '../../src/tenants/repo.js';
import { createApiToken } from '../../src/api-tokens/repo.js';
import type { Tenant } from '../../src/db/types.js';
import type { QueryCost } from '../../src/limits/plugin.js';
import { withDatabase } from './net.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  /** The response's `extensions.cost` (rate limiting), taken out of `body`. */
  cost?: QueryCost;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

export interface TestTenant {
  tenant: Tenant;
  subdomain: string;
  adminKey: string;
}

/**
 * A running server on its own database (cloned from the migrated template), reached over real HTTP.
 * Call `stop()` in afterAll.
 */
export interface TestApp {
  url: string;
  config: Config;
  /** The app's database; `statementCount()` counts its rate-limit pool's statements too. */
  database: DatabaseHandle;
  app: App;
  createTenant(options?: { apiEnabled?: boolean; name?: string }): Promise<TestTenant>;
  createToken(
    tenant: TestTenant,
    abilities: string[],
    options?: { expiresAt?: Date | null; name?: string },
  ): Promise<string>;
  gql<T = Record<string, any>, V = Record<string, unknown>>(
    subdomain: string,
    secret: string | undefined,
    query: string | DocumentNode | TypedDocumentNode<T, V>,
    variables?: V,
    init?: { headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** `logger`: where the server logs (default: a pino logger at `config.logLevel`, silent). */
export async function startTestApp(
  overrides: Partial<Config> = {},
  options: { logger?: Logger } = {},
): Promise<TestApp> {
  const adminUrl = inject('adminUrl');
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const databaseUrl = withDatabase(adminUrl, name);
  const database = createDatabase(databaseUrl);
  const config: Config = {
    ...loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'silent' }),
    ...overrides,
  };
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = createApp({ config, db: database.db, logger });
  const url = await app.start();

  return {
    url,
    config,
    database: countingLimits(database, app),
    app,
    async createTenant(options = {}) {
      const subdomain = uniqueName('t');
      const { tenant, adminKey } = await createTenant(database.db, {
        subdomain,
        name: options.name,
        apiEnabled: options.apiEnabled ?? true,
      });
      return { tenant, subdomain, adminKey };
    },
    async createToken(tenant, abilities, options = {}) {
      const { plaintext } = await createApiToken(database.db, tenant.tenant.id, {
        name: options.name ?? uniqueName('token'),
        abilities,
        expiresAt: options.expiresAt ?? null,
      });
      return plaintext;
    },
    gql: gqlAt(url),
    async stop() {
      await app.stop(2000);
      await database.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** `database`, counting the statements the app ran on it and on its rate-limit pool. */
function countingLimits(database: DatabaseHandle, app: App): DatabaseHandle {
  return {
    ...database,
    statementCount: () => database.statementCount() + app.limitsDatabase.statementCount(),
  };
}

/** `TestApp.gql` against the server at `url`. */
function gqlAt(url: string): TestApp['gql'] {
  return async (subdomain, secret, query, variables, init = {}) => {
    const response = await fetch(`${url}/api/v1/${subdomain}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(secret !== undefined && { authorization: `Bearer ${secret}` }),
        ...init.headers,
      },
      body: JSON.stringify({
        query: typeof query === 'string' ? query : print(query),
        variables,
      }),
    });
    // Every response carries `extensions.cost`; it is moved to `cost`, so bodies compare exactly.
    const { extensions, ...body } = await response.json();
    const { cost, ...others } = extensions ?? {};
    if (Object.keys(others).length > 0) body.extensions = others;
    return { status: response.status, headers: response.headers, cost, body };
  };
}

/**
 * Another server instance on `t`'s database (its own pool, port and LISTEN connection), as a
 * second replica behind a load balancer would be. `stop()` leaves the database to `t`.
 */
export async function startSecondInstance(
  t: TestApp,
  overrides: Partial<Config> = {},
): Promise<TestApp> {
  const database = createDatabase(t.config.databaseUrl!);
  const config: Config = { ...t.config, ...overrides };
  const app = createApp({ config, db: database.db, logger: createLogger(config.logLevel) });
  const url = await app.start();
  return {
    ...t,
    url,
    config,
    database: countingLimits(database, app),
    app,
    gql: gqlAt(url),
    async stop() {
      await app.stop(2000);
      await database.destroy();
    },
  };
}

/** The `extensions.code` of each error, in order. */
export function codes(response: GraphQLResponse): string[] {
  return (response.body.errors ?? []).map((e) => String(e.extensions?.code));
}
