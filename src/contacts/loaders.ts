import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import { type Connection, type PagePlan, toConnection } from '../db/connection.js';
import { countContactsByGroupIds } from '../groups/repo.js';
import {
  type ContactRow,
  type ContactSelection,
  contactPageOrder,
  listContactsOfGroups,
} from './pages.js';
import type { ContactOrder } from './repo.js';

/** A page of contacts asked of every group alike: the same arguments, order and selection. */
export interface GroupPageSpec {
  /** Equal for equal specs: the loader's batches are by it. */
  key: string;
  order: ContactOrder;
  plan: PagePlan;
  select: ContactSelection;
}

export function groupPageSpec(
  order: ContactOrder,
  plan: PagePlan,
  select: ContactSelection,
): GroupPageSpec {
  let selectKey = selectionKeys.get(select);
  if (selectKey === undefined) selectionKeys.set(select, (selectKey = JSON.stringify(select)));
  return { key: `${JSON.stringify([order, plan])}${selectKey}`, order, plan, select };
}

/** A selection's part of a spec's key, once per selection (src/contacts/selection.ts reuses them). */
const selectionKeys = new WeakMap<ContactSelection, string>();

interface GroupPageKey {
  groupId: string;
  spec: GroupPageSpec;
}

/**
 * Per request: `Group.contacts` of every group asked for in the same tick, one statement per
 * distinct page spec (so one for `groups { contacts(first: 20) }` however many groups and however
 * large the pages), and their `totalCount`s in one more statement when asked for. Each page is
 * the one `listContacts` gives for the group alone: same rows, cursors and pageInfo.
 */
export const contactsOfGroup = createContextCache((context: Context) => {
  const tenantId = context.tenant.id;
  const counts = new DataLoader<string, number>((groupIds) =>
    countContactsByGroupIds(context.db, tenantId, groupIds),
  );
  return new DataLoader<GroupPageKey, Connection<ContactRow>, string>(
    async (keys) => {
      const bySpec = new Map<string, { spec: GroupPageSpec; groupIds: string[] }>();
      for (const { groupId, spec } of keys) {
        const batch = bySpec.get(spec.key);
        if (batch) batch.groupIds.push(groupId);
        else bySpec.set(spec.key, { spec, groupIds: [groupId] });
      }
      const pages = new Map<string, Connection<ContactRow>>();
      await Promise.all(
        [...bySpec.values()].map(async ({ spec, groupIds }) => {
          const rows = await listContactsOfGroups(
            context.db,
            tenantId,
            groupIds,
            spec.order,
            spec.plan,
            spec.select,
          );
          const order = contactPageOrder(spec.order);
          groupIds.forEach((groupId, i) => {
            pages.set(
              `${spec.key}\0${groupId}`,
              toConnection(rows[i]!, spec.plan, order, () => counts.load(groupId)),
            );
          });
        }),
      );
      return keys.map(({ groupId, spec }) => pages.get(`${spec.key}\0${groupId}`)!);
    },
    { cacheKeyFn: ({ groupId, spec }) => `${spec.key}\0${groupId}` },
  );
});
