import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/types.js';
import { messageBotValues, toContent } from '../../src/message-bots/content.js';
import { createMessageBot } from '../../src/message-bots/repo.js';
import { fitParameters, templateBotValues } from '../../src/template-bots/parameters.js';
import { createTemplateBot } from '../../src/template-bots/repo.js';
import { applyTemplateSync, findTemplateByNameAndLanguage } from '../../src/templates/repo.js';
import { SANDBOX_TEMPLATES } from '../../src/templates/sandbox.js';

const MESSAGE_BOTS = [
  {
    name: 'Opening hours',
    triggerType: 'EXACT_MATCH',
    keywords: ['hours', 'opening hours'],
    replyType: 'TEXT',
    text: 'We are open Monday to Friday, 9:00–18:00, and Saturday 10:00–14:00.',
  },
  {
    name: 'Price list',
    triggerType: 'CONTAINS',
    keywords: ['price', 'pricing'],
    replyType: 'MEDIA',
    text: 'Here is our current price list.',
    media: {
      type: 'DOCUMENT',
      url: 'https://shop.example.com/demo/price-list.pdf',
      filename: 'price-list.pdf',
    },
  },
  {
    name: 'Welcome',
    triggerType: 'FIRST_MESSAGE',
    keywords: [],
    replyType: 'BUTTONS',
    header: 'Welcome to Demo Shop',
    text: 'Hi! How can we help you today?',
    buttons: [{ title: 'Browse products' }, { title: 'Track my order' }, { title: 'Talk to us' }],
  },
  {
    name: 'Website',
    triggerType: 'CONTAINS',
    keywords: ['website', 'shop online'],
    replyType: 'CTA_URL',
    text: 'Everything we sell is also in our online shop.',
    ctaButton: { text: 'Open the shop', url: 'https://shop.example.com' },
  },
];

const TEMPLATE_BOTS = [
  {
    name: 'Order status',
    template: ['order_confirmation', 'en_US'],
    triggerType: 'CONTAINS',
    keywords: ['order', 'tracking'],
    bodyParameters: [{ contactField: 'FIRST_NAME' }, { value: '#1042' }, { value: '$59.90' }],
    buttonParameters: [{ value: '1042' }],
  },
  {
    name: 'Spanish welcome',
    template: ['welcome_message', 'es'],
    triggerType: 'EXACT_MATCH',
    keywords: ['hola'],
    headerParameter: { contactField: 'FIRST_NAME' },
    bodyParameters: [{ contactField: 'FIRST_NAME' }, { value: 'Tienda Demo' }],
    buttonParameters: [],
    active: false,
  },
];

/**
 * The sandbox templates (only when the tenant has none, so real synced templates are left
 * alone), a few message bots and template bots; bots that exist by name are skipped. Values go
 * through the API's own validation, so the seed cannot hold what the API would refuse.
 */
export async function seedTemplatesAndBots(
  db: Kysely<Database>,
  tenantId: string,
): Promise<Record<string, number>> {
  const existing = await db
    .selectFrom('templates')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .limit(1)
    .execute();
  const templates =
    existing.length === 0 ? (await applyTemplateSync(db, tenantId, SANDBOX_TEMPLATES)).created : 0;

  const names = async (table: 'message_bots' | 'template_bots') =>
    new Set(
      (await db.selectFrom(table).select('name').where('tenant_id', '=', tenantId).execute()).map(
        (r) => r.name.toLowerCase(),
      ),
    );

  let messageBots = 0;
  const messageBotNames = await names('message_bots');
  for (const bot of MESSAGE_BOTS) {
    if (messageBotNames.has(bot.name.toLowerCase())) continue;
    const values = messageBotValues.parse({ ...bot, active: true });
    await createMessageBot(db, tenantId, {
      name: values.name,
      triggerType: values.triggerType,
      keywords: values.keywords,
      replyType: values.replyType,
      content: toContent(values),
      active: values.active,
    });
    messageBots += 1;
  }

  let templateBots = 0;
  const templateBotNames = await names('template_bots');
  for (const {
    template: [name, language],
    ...bot
  } of TEMPLATE_BOTS) {
    if (templateBotNames.has(bot.name.toLowerCase())) continue;
    const template = await findTemplateByNameAndLanguage(db, tenantId, name!, language!);
    if (!template) continue;
    const values = templateBotValues.parse({ active: true, ...bot });
    await createTemplateBot(db, tenantId, {
      name: values.name,
      triggerType: values.triggerType,
      keywords: values.keywords,
      templateId: template.id,
      parameters: fitParameters(template, values),
      active: values.active,
    });
    templateBots += 1;
  }
  return { templates, messageBots, templateBots };
}
