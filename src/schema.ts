import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './common/schema.js';
import './tenants/schema.js';
import './api-tokens/schema.js';
import './statuses/schema.js';
import './sources/schema.js';
import './groups/schema.js';
import './contacts/schema.js';
import './templates/schema.js';
import './message-bots/schema.js';
import './template-bots/schema.js';
import './whatsapp/schema.js';
import './messages/schema.js';
import './messages/send.js';
import './messages/subscription.js';

/** The whole API, sorted so that the printed SDL diffs cleanly. */
export const schema = lexicographicSortSchema(builder.toSchema());
