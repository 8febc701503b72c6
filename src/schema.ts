import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './common/schema.js';
import './tenants/schema.js';
import './api-tokens/schema.js';
import './statuses/schema.js';

/** The whole API, sorted so that the printed SDL diffs cleanly. */
export const schema = lexicographicSortSchema(builder.toSchema());
