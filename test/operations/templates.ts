import { encodeId } from '../../src/ids.js';
import { applyTemplateSync, findTemplateByNameAndLanguage } from '../../src/templates/repo.js';
import { SANDBOX_TEMPLATES } from '../../src/templates/sandbox.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';

/** The sandbox templates in the tenant's database; returns one template's global id. */
export async function templateFixture({ t, tenant }: MatrixContext, name = 'order_confirmation') {
  await applyTemplateSync(t.database.db, tenant.tenant.id, SANDBOX_TEMPLATES);
  const template = await findTemplateByNameAndLanguage(
    t.database.db,
    tenant.tenant.id,
    name,
    name === 'welcome_message' ? 'es' : 'en_US',
  );
  return { id: encodeId('Template', template!.id), row: template! };
}

export const operations: Operation[] = [
  {
    name: 'templates',
    requires: 'templates.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ templates(first: 5) { totalCount edges { node { id name bodyParameterCount } } } }',
      ),
  },
  {
    name: 'template',
    requires: 'templates.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { template(id: $id) { id name status } }',
        { id: (await templateFixture(ctx)).id },
      ),
  },
  {
    name: 'node(Template)',
    requires: 'templates.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Template { name } } }',
        { id: (await templateFixture(ctx)).id },
      ),
  },
  {
    name: 'syncTemplates',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(tenant.subdomain, s, 'mutation { syncTemplates { source created total } }'),
  },
];
