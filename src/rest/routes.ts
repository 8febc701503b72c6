import { contactRoutes } from '../contacts/rest.js';
import { groupRoutes } from '../groups/rest.js';
import { messageBotRoutes } from '../message-bots/rest.js';
import { messageRoutes } from '../messages/rest.js';
import { sourceRoutes } from '../sources/rest.js';
import { statusRoutes } from '../statuses/rest.js';
import { templateBotRoutes } from '../template-bots/rest.js';
import { templateRoutes } from '../templates/rest.js';
import type { RestRoute } from './route.js';

/**
 * Every route of the REST face, in the order the OpenAPI document lists them. Each module owns
 * its routes (`src/<module>/rest.ts`); this table only gathers them.
 */
export const REST_ROUTES: readonly RestRoute[] = [
  ...contactRoutes,
  ...statusRoutes,
  ...sourceRoutes,
  ...groupRoutes,
  ...templateRoutes,
  ...messageBotRoutes,
  ...templateBotRoutes,
  ...messageRoutes,
];
