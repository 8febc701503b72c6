import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from '../context.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { AliasedRawBuilder, RawBuilder } from 'kysely';
import {
  type Connection,
  type ConnectionArgs,
  type PagePlan,
  planPage,
  toConnection,
} from '../db/connection.js';
import { countContactsByGroupIds } from '../groups/repo.js';
import {
  type ContactRow,
  type ContactSelection,
  contactPageOrder,
  groupPageJson,
  listContactsOfGroups,
  readGroupPage,
} from './pages.js';
import type { ContactOrder } from './repo.js';
import { contactOrder } from './arguments.js';
import { contactSelectionOf } from './selection.js';
import { pageNeedsOf, selectedNodeTrees } from '../lookahead.js';
import { grants } from '../auth/abilities.js';
import { principalAbilities } from '../auth/principal.js';

/** Per request: each group's number of contacts (`totalCount`), one statement per batch. */
const contactCounts = createContextCache(
  (context: Context) =>
    new DataLoader<string, number>((groupIds) =>
      countContactsByGroupIds(context.db, context.tenant.id, groupIds),
    ),
);

/** A group row that brought the page of its contacts (`prefetchGroupContacts`). */
interface WithContacts {
  [GROUP_CONTACTS]?: { key: string; rows: ContactRow[] };
}
const GROUP_CONTACTS: unique symbol = Symbol('group contacts');
const COLUMN = '_contacts';

/**
 * Reading ahead for `Query.groups`: when its nodes select `contacts` (once, under one name) and the
 * caller may read contacts, the page of contacts of each group is read in the groups' own
 * statement (`column`, a JSON column), and `attach` hangs it on each group row, where
 * `Group.contacts` finds it (`groupPage`) instead of loading: a page of groups with their contacts
 * is one statement. Undefined when there is nothing to read ahead; arguments that do not fit are
 * left to the field, which refuses them on its path as before.
 */
export function prefetchGroupContacts(
  context: Context,
  info: GraphQLResolveInfo,
):
  | {
      column: (groupId: RawBuilder<string>) => AliasedRawBuilder<string, string>;
      attach(groups: object[]): void;
    }
  | undefined {
  const trees = selectedNodeTrees(info, 'contacts');
  if (trees.length !== 1 || !grants(principalAbilities(context.principal), 'contacts.read')) {
    return undefined;
  }
  const tree = trees[0]!;
  let spec: GroupPageSpec;
  try {
    const args = tree.args as ConnectionArgs & { orderBy?: Parameters<typeof contactOrder>[0] };
    const order = contactOrder(args.orderBy);
    spec = groupPageSpec(
      order,
      planPage(args, contactPageOrder(order), pageNeedsOf([tree])),
      contactSelectionOf(context, tree),
    );
  } catch {
    return undefined;
  }
  if (spec.plan.size === 0) return undefined;
  return {
    column: (groupId) =>
      groupPageJson(context.db, context.tenant.id, groupId, spec.order, spec.plan, spec.select).as(
        COLUMN,
      ),
    attach(groups) {
      for (const group of groups as (WithContacts & { [COLUMN]?: string })[]) {
        const json = group[COLUMN];
        if (json === undefined) continue;
        delete group[COLUMN];
        group[GROUP_CONTACTS] = {
          key: spec.key,
          rows: readGroupPage(json, context.tenant.id, spec.order, spec.plan, spec.select),
        };
      }
    },
  };
}

/** The page of contacts a group's row brought for `spec`, as `contactsOfGroup` would load it. */
export function groupPage(
  context: Context,
  group: object,
  spec: GroupPageSpec,
): Connection<ContactRow> | undefined {
  const brought = (group as WithContacts)[GROUP_CONTACTS];
  if (brought?.key !== spec.key) return undefined;
  const groupId = (group as { id: string }).id;
  return toConnection(brought.rows, spec.plan, contactPageOrder(spec.order), () =>
    contactCounts(context).load(groupId),
  );
}

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
  const counts = contactCounts(context);
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
