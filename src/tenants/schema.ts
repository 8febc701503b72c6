import { builder } from '../builder.js';
import { ABILITIES, ABILITY_TABLE } from '../auth/abilities.js';
import type { Tenant } from '../db/types.js';
import type { Context } from '../context.js';
import * as repo from './repo.js';

export const TenantRef = builder.objectRef<Tenant>('Tenant').implement({
  description: 'A workspace, named by its subdomain.',
  fields: (t) => ({
    subdomain: t.exposeString('subdomain'),
    name: t.exposeString('name'),
    apiEnabled: t.exposeBoolean('api_enabled', {
      description: 'Whether API tokens work. The admin key works either way.',
    }),
  }),
});

const PrincipalKind = builder.enumType('PrincipalKind', {
  values: {
    ADMIN: { description: "The tenant's admin key." },
    API_TOKEN: { description: 'An API token.' },
  },
});

const Viewer = builder.objectRef<Context>('Viewer').implement({
  description: 'Who is calling.',
  fields: (t) => ({
    tenant: t.field({ type: TenantRef, resolve: (c) => c.tenant }),
    kind: t.field({
      type: PrincipalKind,
      resolve: (c) => (c.principal.kind === 'admin' ? 'ADMIN' : 'API_TOKEN'),
    }),
    tokenName: t.string({
      nullable: true,
      description: "The API token's name; null for the admin key.",
      resolve: (c) => (c.principal.kind === 'token' ? c.principal.name : null),
    }),
    abilities: t.stringList({
      description: 'The abilities in force, `*` expanded (the admin key holds all of them).',
      resolve: (c) =>
        c.principal.kind === 'admin' || c.principal.abilities.has('*')
          ? [...ABILITIES]
          : ABILITIES.filter((a) => c.principal.kind === 'token' && c.principal.abilities.has(a)),
    }),
    tokenExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (c) => (c.principal.kind === 'token' ? c.principal.expiresAt : null),
    }),
  }),
});

const AbilityCategory = builder
  .objectRef<(typeof ABILITY_TABLE)[number]>('AbilityCategory')
  .implement({
    description: 'A group of token abilities, as the settings page shows them.',
    fields: (t) => ({
      category: t.exposeString('category'),
      abilities: t.stringList({ resolve: (row) => [...row.abilities] }),
    }),
  });

interface ApiInfo {
  baseUrl: string;
  tenant: string;
}

const ApiInfoRef = builder.objectRef<ApiInfo>('ApiInfo').implement({
  description: "Where this tenant's API lives.",
  fields: (t) => ({
    baseUrl: t.string({
      description: 'The API base URL, e.g. https://example.com/api/v1/',
      resolve: (i) => `${i.baseUrl}/api/v1/`,
    }),
    tenant: t.exposeString('tenant', { description: 'The tenant subdomain used in the path.' }),
    graphqlEndpoint: t.string({
      description: 'The complete endpoint: base URL + tenant + /graphql.',
      resolve: (i) => `${i.baseUrl}/api/v1/${i.tenant}/graphql`,
    }),
    restEndpoint: t.string({
      description:
        'The REST API of this tenant: base URL + tenant; a resource path follows, e.g. /templates.',
      resolve: (i) => `${i.baseUrl}/api/v1/${i.tenant}`,
    }),
    restDocsUrl: t.string({
      description:
        'The browsable REST API reference; the OpenAPI 3.1 document is beside it, at …/openapi.json.',
      resolve: (i) => `${i.baseUrl}/api/v1/${i.tenant}/docs`,
    }),
    websocketEndpoint: t.string({
      description: 'The same endpoint for graphql-ws (subprotocol graphql-transport-ws).',
      resolve: (i) => `${i.baseUrl.replace(/^http/, 'ws')}/api/v1/${i.tenant}/graphql`,
    }),
    exampleRequest: t.string({
      description: 'A curl command that runs a first query.',
      resolve: (i) =>
        [
          `curl ${i.baseUrl}/api/v1/${i.tenant}/graphql \\`,
          `  -H 'Authorization: Bearer YOUR_API_TOKEN_HERE' \\`,
          `  -H 'Content-Type: application/json' \\`,
          `  -d '{"query":"{ viewer { tenant { subdomain } abilities } }"}'`,
        ].join('\n'),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({ type: Viewer, resolve: (_root, _args, context) => context }),
  apiInfo: t.field({
    type: ApiInfoRef,
    resolve: (_root, _args, context) => ({
      baseUrl: context.baseUrl,
      tenant: context.tenant.subdomain,
    }),
  }),
  abilityCategories: t.field({
    type: [AbilityCategory],
    description: 'Every ability a token can hold, by category.',
    resolve: () => [...ABILITY_TABLE],
  }),
}));

builder.mutationField('setApiAccess', (t) =>
  t.field({
    type: TenantRef,
    nullable: true,
    description: 'Switches API access for API tokens on or off. Admin key only.',
    authScopes: { admin: true },
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: async (_root, { enabled }, context) => {
      const tenant = await repo.setApiAccess(context.db, context.tenant.id, enabled);
      context.authCache.forget(context.tenant.id);
      return tenant;
    },
  }),
);
