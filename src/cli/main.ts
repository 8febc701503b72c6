import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { openDatabase, type OpenDatabase } from '../db/open.js';
import { migrateToLatest } from '../db/migrate.js';
import { ABILITIES, isAbilityGrant } from '../auth/abilities.js';
import {
  createTenant,
  findTenantBySubdomain,
  rotateAdminKey,
  setApiAccess,
  SUBDOMAIN_PATTERN,
} from '../tenants/repo.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../api-tokens/repo.js';
import { isUuid } from '../db/connection.js';
import { decodeId, encodeId } from '../ids.js';
import { isUniqueViolation } from '../errors.js';
import type { Tenant } from '../db/types.js';
import { seedDemo } from '../../db/seeds/demo.js';

/**
 * `npm run cli -- <command>`: the commands of API.md. Every command takes --json; errors go to
 * stderr with exit code 1 (with --json, as {"error": {"code", "message"}}).
 */
class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseDuration(value: string): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('Use a number and a unit: 30d, 12h, 90m, 2w.');
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as 's'];
  return Number(match[1]) * unit * 1000;
}

function parseAbilities(value: string): string[] {
  const list = value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const unknown = list.filter((a) => !isAbilityGrant(a));
  if (list.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `Unknown ${unknown.join(', ') || '(none given)'}. Known: *, ${ABILITIES.join(', ')}`,
    );
  }
  return [...new Set(list)].sort();
}

const program = new Command('cli').description('WhatsMark GraphQL gateway administration');
program.option('--json', 'machine-readable output');
// With --json, commander's own usage errors are JSON too.
program.configureOutput({
  writeErr: (text) =>
    process.stderr.write(
      process.argv.includes('--json')
        ? `${JSON.stringify({ error: { code: 'BAD_USER_INPUT', message: text.replace(/^error: /, '').trim() } })}\n`
        : text,
    ),
});

function json(): boolean {
  return Boolean(program.opts().json);
}

function print(value: Record<string, unknown>, human: string): void {
  process.stdout.write(json() ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

async function withDatabase<T>(run: (database: OpenDatabase) => Promise<T>): Promise<T> {
  const database = await openDatabase(loadConfig());
  try {
    await migrateToLatest(database.handle.db);
    return await run(database);
  } finally {
    await database.close();
  }
}

async function tenantOrFail(database: OpenDatabase, subdomain: string): Promise<Tenant> {
  const tenant = await findTenantBySubdomain(database.handle.db, subdomain);
  if (!tenant) throw new CliError('TENANT_NOT_FOUND', `No tenant "${subdomain}".`);
  return tenant;
}

function tokenView(token: {
  id: string;
  name: string;
  abilities: string[];
  token_hint: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}) {
  return {
    id: encodeId('ApiToken', token.id),
    name: token.name,
    hint: token.token_hint,
    abilities: token.abilities,
    createdAt: token.created_at.toISOString(),
    lastUsedAt: token.last_used_at?.toISOString() ?? null,
    expiresAt: token.expires_at?.toISOString() ?? null,
    revokedAt: token.revoked_at?.toISOString() ?? null,
  };
}

const tenant = program.command('tenant').description('tenants (workspaces)');
tenant
  .command('create <subdomain>')
  .description('create a tenant; prints its admin key once')
  .option('--name <name>', 'display name')
  .action((subdomain: string, options: { name?: string }) =>
    withDatabase(async (database) => {
      if (!SUBDOMAIN_PATTERN.test(subdomain)) {
        throw new CliError(
          'BAD_USER_INPUT',
          'A subdomain is 1-63 lowercase letters, digits or hyphens.',
        );
      }
      try {
        const { tenant: created, adminKey } = await createTenant(database.handle.db, {
          subdomain,
          name: options.name,
        });
        print(
          {
            tenant: created.subdomain,
            name: created.name,
            apiEnabled: created.api_enabled,
            adminKey,
          },
          `Created tenant "${created.subdomain}". Admin key (shown once):\n${adminKey}`,
        );
      } catch (error) {
        if (isUniqueViolation(error))
          throw new CliError('CONFLICT', `Tenant "${subdomain}" already exists.`);
        throw error;
      }
    }),
  );
tenant
  .command('rotate-admin-key <subdomain>')
  .description('replace the admin key; the old one stops working')
  .action((subdomain: string) =>
    withDatabase(async (database) => {
      const rotated = await rotateAdminKey(database.handle.db, subdomain);
      if (!rotated) throw new CliError('TENANT_NOT_FOUND', `No tenant "${subdomain}".`);
      print(
        { tenant: subdomain, adminKey: rotated.adminKey },
        `New admin key for "${subdomain}" (shown once):\n${rotated.adminKey}`,
      );
    }),
  );

const api = program.command('api').description('API access switch');
for (const state of ['enable', 'disable'] as const) {
  api
    .command(`${state} <subdomain>`)
    .description(`${state} API access for the tenant's tokens`)
    .action((subdomain: string) =>
      withDatabase(async (database) => {
        const found = await tenantOrFail(database, subdomain);
        const updated = await setApiAccess(database.handle.db, found.id, state === 'enable');
        print(
          { tenant: subdomain, apiEnabled: updated.api_enabled },
          `API access for "${subdomain}": ${updated.api_enabled ? 'enabled' : 'disabled'}`,
        );
      }),
    );
}

const token = program.command('token').description('API tokens');
token
  .command('create <subdomain>')
  .description('create an API token; prints it once')
  .requiredOption('--name <name>', 'token name')
  .requiredOption('--abilities <list>', `comma-separated abilities, or *`, parseAbilities)
  .option('--expires-in <duration>', 'e.g. 30d, 12h', parseDuration)
  .action((subdomain: string, options: { name: string; abilities: string[]; expiresIn?: number }) =>
    withDatabase(async (database) => {
      const found = await tenantOrFail(database, subdomain);
      const name = z.string().trim().min(1).max(100).safeParse(options.name);
      if (!name.success)
        throw new CliError('BAD_USER_INPUT', 'A token name is 1 to 100 characters.');
      const { apiToken, plaintext } = await createApiToken(database.handle.db, found.id, {
        name: name.data,
        abilities: options.abilities,
        expiresAt: options.expiresIn ? new Date(Date.now() + options.expiresIn) : null,
      });
      print(
        { ...tokenView(apiToken), token: plaintext },
        `Created token "${apiToken.name}" (${apiToken.abilities.join(', ')})${apiToken.expires_at ? `, expires ${apiToken.expires_at.toISOString()}` : ''}.\nToken (shown once):\n${plaintext}`,
      );
    }),
  );
token
  .command('list <subdomain>')
  .description("list the tenant's tokens (never their secrets)")
  .action((subdomain: string) =>
    withDatabase(async (database) => {
      const found = await tenantOrFail(database, subdomain);
      const tokens = [];
      let after: string | null = null;
      for (;;) {
        const page = await listApiTokens(database.handle.db, found.id, { first: 100, after });
        tokens.push(...page.edges.map((e) => tokenView(e.node)));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const lines = tokens.map(
        (t) =>
          `${t.id}  ${t.name}  ${t.hint}  ${t.revokedAt ? 'revoked' : t.expiresAt && new Date(t.expiresAt) <= new Date() ? 'expired' : 'active'}  ${t.abilities.join(',')}`,
      );
      print({ tenant: subdomain, tokens }, lines.join('\n') || 'No tokens.');
    }),
  );
token
  .command('revoke <subdomain> <id>')
  .description('revoke a token (its id from `token list`)')
  .action((subdomain: string, id: string) =>
    withDatabase(async (database) => {
      const found = await tenantOrFail(database, subdomain);
      let uuid = id;
      if (!isUuid(id)) {
        try {
          const decoded = decodeId(id);
          if (decoded.typename !== 'ApiToken') throw new Error();
          uuid = decoded.id;
        } catch {
          throw new CliError('BAD_USER_INPUT', `"${id}" is not an API token id.`);
        }
      }
      const revoked = await revokeApiToken(database.handle.db, found.id, uuid);
      if (!revoked) throw new CliError('NOT_FOUND', `No API token ${id} in "${subdomain}".`);
      print(tokenView(revoked), `Revoked token "${revoked.name}".`);
    }),
  );

const db = program.command('db').description('database');
db.command('migrate')
  .description('apply pending migrations')
  .action(() =>
    withDatabase(async () => {
      // withDatabase has migrated; report what is applied.
      print({ migrated: true }, 'Migrations are up to date.');
    }),
  );
db.command('seed')
  .description('demo data for the tenant "demo"')
  .action(() =>
    withDatabase(async (database) => {
      const result = await seedDemo(database.handle.db);
      print(
        result,
        `Seeded tenant "demo": ${Object.entries(result.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}.`,
      );
    }),
  );

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = error as { code?: string; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    // Help and version exit 0; usage errors have been printed by commander.
    process.exit(e.exitCode ?? 1);
  }
  const code = error instanceof CliError ? error.code : 'INTERNAL_SERVER_ERROR';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    json() ? `${JSON.stringify({ error: { code, message } })}\n` : `error: ${message}\n`,
  );
  process.exit(1);
}
