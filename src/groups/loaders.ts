import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import type { Group } from '../db/types.js';
import { findGroupsByContactIds } from './repo.js';

/**
 * Per request: each contact's groups, by name, one statement for every contact asked for in the
 * same tick (a page of contacts, or contacts reached one by one). Subscriptions get a new context,
 * and so new loaders, per event.
 */
export const groupsOfContact = createContextCache(
  (context: Context) =>
    new DataLoader<string, Group[]>((contactIds) =>
      findGroupsByContactIds(context.db, context.tenant.id, contactIds),
    ),
);
