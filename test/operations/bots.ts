import { encodeId } from '../../src/ids.js';
import { createMessageBot } from '../../src/message-bots/repo.js';
import { createTemplateBot } from '../../src/template-bots/repo.js';
import { uniqueName } from '../helpers/test-app.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';
import { templateFixture } from './templates.js';

export const messageBotFixture = async ({ t, tenant }: MatrixContext) =>
  encodeId(
    'MessageBot',
    (
      await createMessageBot(t.database.db, tenant.tenant.id, {
        name: uniqueName('bot'),
        triggerType: 'CONTAINS',
        keywords: ['price'],
        replyType: 'TEXT',
        content: { text: 'Our prices are on example.com/prices' },
        active: true,
      })
    ).id,
  );

export const templateBotFixture = async (ctx: MatrixContext) => {
  const { row } = await templateFixture(ctx, 'feedback_survey');
  const bot = await createTemplateBot(ctx.t.database.db, ctx.tenant.tenant.id, {
    name: uniqueName('tbot'),
    triggerType: 'FIRST_MESSAGE',
    keywords: [],
    templateId: row.id,
    parameters: {
      header: null,
      headerMediaUrl: 'https://example.com/v.mp4',
      body: [],
      buttons: [],
    },
    active: true,
  });
  return encodeId('TemplateBot', bot.id);
};

const gqlWithId =
  (query: string, fixture: (ctx: MatrixContext) => Promise<string>) =>
  async (ctx: MatrixContext, s: string) =>
    ctx.t.gql(ctx.tenant.subdomain, s, query, { id: await fixture(ctx) });

export const operations: Operation[] = [
  {
    name: 'messageBots',
    requires: 'message_bots.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ messageBots(first: 5) { totalCount edges { node { id name } } } }',
      ),
  },
  {
    name: 'node(MessageBot)',
    requires: 'message_bots.read',
    run: gqlWithId(
      'query($id: ID!) { node(id: $id) { id ... on MessageBot { name replyType } } }',
      messageBotFixture,
    ),
  },
  {
    name: 'createMessageBot',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        `mutation($n: String!) { createMessageBot(input: { name: $n, triggerType: EXACT_MATCH,
          keywords: ["hi"], replyType: TEXT, text: "Hello!" }) { messageBot { id } } }`,
        { n: uniqueName('bot') },
      ),
  },
  {
    name: 'updateMessageBot',
    requires: 'admin',
    run: gqlWithId(
      'mutation($id: ID!) { updateMessageBot(input: { id: $id, active: false }) { messageBot { id active } } }',
      messageBotFixture,
    ),
  },
  {
    name: 'deleteMessageBot',
    requires: 'admin',
    run: gqlWithId(
      'mutation($id: ID!) { deleteMessageBot(input: { id: $id }) { deletedMessageBotId } }',
      messageBotFixture,
    ),
  },
  {
    name: 'templateBots',
    requires: 'template_bots.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ templateBots(first: 5) { totalCount edges { node { id name } } } }',
      ),
  },
  {
    name: 'node(TemplateBot)',
    requires: 'template_bots.read',
    run: gqlWithId(
      'query($id: ID!) { node(id: $id) { id ... on TemplateBot { name keywords } } }',
      templateBotFixture,
    ),
  },
  {
    name: 'createTemplateBot',
    requires: 'admin',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        `mutation($n: String!, $template: ID!) { createTemplateBot(input: { name: $n,
          triggerType: CONTAINS, keywords: ["order"], templateId: $template,
          bodyParameters: [{ contactField: FIRST_NAME }, { value: "#1" }, { value: "$1" }],
          buttonParameters: [{ value: "1" }] }) { templateBot { id } } }`,
        { n: uniqueName('tbot'), template: (await templateFixture(ctx)).id },
      ),
  },
  {
    name: 'updateTemplateBot',
    requires: 'admin',
    run: gqlWithId(
      'mutation($id: ID!) { updateTemplateBot(input: { id: $id, keywords: ["x"], triggerType: CONTAINS }) { templateBot { id } } }',
      templateBotFixture,
    ),
  },
  {
    name: 'deleteTemplateBot',
    requires: 'admin',
    run: gqlWithId(
      'mutation($id: ID!) { deleteTemplateBot(input: { id: $id }) { deletedTemplateBotId } }',
      templateBotFixture,
    ),
  },
];
