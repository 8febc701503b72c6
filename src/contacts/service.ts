import { z } from 'zod';
import type { Context } from '../context.js';
import type { Contact, ContactType } from '../db/types.js';
import { badUserInput, conflict, isUniqueViolation, notFound } from '../errors.js';
import { lockExistingIds } from '../groups/repo.js';
import { notFoundIn } from '../groups/schema.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import * as repo from './repo.js';
import * as fields from './validation.js';

/**
 * The contact mutations' rules, apart from the schema that declares them.
 *
 * An unknown relation id (statusId, sourceId, groupIds) is NOT_FOUND, as API.md defines it ("no
 * such id in this tenant"), with `extensions.field` naming the input field and `extensions.id` the
 * id; a malformed id, or an id of another type, is BAD_USER_INPUT on that field.
 */
export const MAX_GROUP_IDS = 100;

type Id = string | number;

/** Mutation input as GraphQL delivers it: an omitted field is undefined, an explicit null is null. */
export interface ContactInput {
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  type?: ContactType | null;
  email?: string | null;
  phone?: string | null;
  country?: string | null;
  description?: string | null;
  statusId?: Id | null;
  sourceId?: Id | null;
}

const textFields = z
  .object({
    firstName: fields.firstName,
    lastName: fields.lastName,
    company: fields.company,
    email: fields.email,
    country: fields.country,
    description: fields.description,
  })
  .partial();

/** Maps the database's refusals to API errors: the same phone twice, a status or source not there. */
async function guardWrite<T>(write: Promise<T>, input: ContactInput & { phone?: string }) {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error, 'contacts_tenant_phone')) {
      throw conflict('phone', `A contact with phone ${input.phone} already exists.`);
    }
    // The composite foreign keys refuse another tenant's status or source like a missing one.
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23503' && constraint === 'contacts_status') {
      throw notFoundIn('statusId', 'status', String(input.statusId));
    }
    if (code === '23503' && constraint === 'contacts_source') {
      throw notFoundIn('sourceId', 'source', String(input.sourceId));
    }
    throw error;
  }
}

/** Decodes an optional relation id: undefined stays undefined (unchanged), null clears. */
function relationId(typename: string, value: Id | null | undefined, field: string) {
  if (value == null) return value;
  return decodeIdOf(typename, String(value), field);
}

/** database id → the id the client sent, for the error that names it. */
function decodeGroupIds(list: readonly Id[] | null | undefined): Map<string, string> {
  if (list && list.length > MAX_GROUP_IDS) {
    throw badUserInput('groupIds', `groupIds: at most ${MAX_GROUP_IDS} ids`);
  }
  return new Map(
    (list ?? []).map((id) => [decodeIdOf('Group', String(id), 'groupIds'), String(id)]),
  );
}

/**
 * Creates a contact, and its group memberships in the same transaction (all or nothing). The
 * country defaults to the phone number's.
 */
export async function createContact(
  context: Context,
  input: ContactInput & { firstName: string; phone: string; groupIds?: readonly Id[] | null },
): Promise<Contact> {
  const values = parseInput(textFields, input);
  const phone = fields.parsePhone(input.phone, values.country);
  const row = {
    first_name: values.firstName!,
    last_name: values.lastName ?? '',
    company: values.company ?? null,
    type: input.type ?? 'lead',
    email: values.email ?? null,
    phone: phone.e164,
    country: values.country ?? phone.country,
    description: values.description ?? null,
    status_id: relationId('Status', input.statusId, 'statusId') ?? null,
    source_id: relationId('Source', input.sourceId, 'sourceId') ?? null,
  };
  const groups = decodeGroupIds(input.groupIds);
  const tenantId = context.tenant.id;
  const write = context.db.transaction().execute(async (trx) => {
    const found = await lockExistingIds(trx, 'groups', tenantId, [...groups.keys()]);
    for (const [id, globalId] of groups) {
      if (!found.has(id)) throw notFoundIn('groupIds', 'group', globalId);
    }
    const contact = await repo.createContact(trx, tenantId, row);
    await repo.addContactToGroups(trx, tenantId, contact.id, [...groups.keys()]);
    return contact;
  });
  return guardWrite(write, { ...input, phone: phone.e164 });
}

/**
 * Changes the fields given; null clears an optional field and is BAD_USER_INPUT on a required one.
 * A national phone number is read in the new country, else the contact's.
 */
export async function updateContact(
  context: Context,
  input: ContactInput & { id: Id },
): Promise<Contact> {
  const id = decodeIdOf('Contact', String(input.id));
  const values = parseInput(textFields, input);
  if (input.type === null) throw badUserInput('type', 'type: must not be null');
  const tenantId = context.tenant.id;
  let phone: string | undefined;
  if (input.phone !== undefined) {
    const [current] = await repo.findContactsByIds(context.db, tenantId, [id]);
    if (!current) throw notFound('contact', String(input.id));
    const hint = values.country !== undefined ? values.country : current.country;
    phone = fields.parsePhone(input.phone, hint).e164;
  }
  const patch = {
    first_name: values.firstName,
    last_name: values.lastName,
    company: values.company,
    type: input.type ?? undefined,
    email: values.email,
    phone,
    country: values.country,
    description: values.description,
    status_id: relationId('Status', input.statusId, 'statusId'),
    source_id: relationId('Source', input.sourceId, 'sourceId'),
  };
  const contact = await guardWrite(repo.updateContact(context.db, tenantId, id, patch), {
    ...input,
    phone,
  });
  if (!contact) throw notFound('contact', String(input.id));
  return contact;
}

/** Deletes a contact and its group memberships; NOT_FOUND when the tenant has no such contact. */
export async function deleteContact(context: Context, globalId: Id): Promise<void> {
  const id = decodeIdOf('Contact', String(globalId));
  const contact = await repo.deleteContact(context.db, context.tenant.id, id);
  if (!contact) throw notFound('contact', String(globalId));
}
