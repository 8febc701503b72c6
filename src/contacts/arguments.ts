import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import type { ContactFilter, ContactOrder } from './repo.js';

/** The enums and input types of contact fields and lists, and their translation for the repo. */
export const ContactTypeEnum = builder.enumType('ContactType', {
  values: {
    LEAD: { value: 'lead', description: 'A prospect.' },
    CUSTOMER: { value: 'customer', description: 'Has bought.' },
  } as const,
});

export const OrderDirection = builder.enumType('OrderDirection', {
  values: {
    ASC: { value: 'asc', description: 'Smallest, earliest or A first.' },
    DESC: { value: 'desc', description: 'Largest, latest or Z first.' },
  } as const,
});

const ContactOrderField = builder.enumType('ContactOrderField', {
  values: {
    CREATED_AT: { value: 'created_at' },
    UPDATED_AT: { value: 'updated_at' },
    FIRST_NAME: { value: 'first_name' },
    LAST_NAME: {
      value: 'last_name',
      description: 'A contact without a last name sorts before every other.',
    },
  } as const,
});

export const ContactOrderInput = builder.inputType('ContactOrder', {
  description: 'The order of a contact list; ties are broken by id, so paging is stable.',
  fields: (t) => ({
    field: t.field({ type: ContactOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true }),
  }),
});

export const ContactFilterInput = builder.inputType('ContactFilter', {
  description: 'Every condition given must hold. An id of nothing in this tenant matches nothing.',
  fields: (t) => ({
    statusId: t.id(),
    sourceId: t.id(),
    groupId: t.id(),
    type: t.field({ type: ContactTypeEnum }),
    search: t.string({
      description: 'Text in the first or last name, phone, email or company (any case).',
    }),
  }),
});

const DEFAULT_ORDER: ContactOrder = { column: 'created_at', direction: 'desc' };
const MAX_SEARCH_LENGTH = 200;

export function contactOrder(
  orderBy: typeof ContactOrderInput.$inferInput | null | undefined,
): ContactOrder {
  return orderBy ? { column: orderBy.field, direction: orderBy.direction } : DEFAULT_ORDER;
}

/** Decodes the filter's ids; a malformed one is BAD_USER_INPUT naming e.g. `filter.statusId`. */
export function contactFilter(
  filter: typeof ContactFilterInput.$inferInput | null | undefined,
): ContactFilter {
  if (!filter) return {};
  const decode = (typename: string, field: 'statusId' | 'sourceId' | 'groupId') => {
    const id = filter[field];
    return id == null ? undefined : decodeIdOf(typename, String(id), `filter.${field}`);
  };
  if (filter.search != null && filter.search.length > MAX_SEARCH_LENGTH) {
    throw badUserInput(
      'filter.search',
      `filter.search: must be at most ${MAX_SEARCH_LENGTH} characters`,
    );
  }
  return {
    statusId: decode('Status', 'statusId'),
    sourceId: decode('Source', 'sourceId'),
    groupId: decode('Group', 'groupId'),
    type: filter.type ?? undefined,
    search: filter.search ?? undefined,
  };
}
