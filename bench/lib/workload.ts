import { randomInt } from 'node:crypto';
import type { Request } from 'autocannon';
import { phone, type Seeded } from './seed.js';

/**
 * The mixed workload each autocannon connection cycles through: 6 reads, 2 writes and 1 send in
 * every 9 requests. Tokens are used round-robin, so the load spreads over several rate-limit
 * buckets the way several integrations would.
 */
export interface Tally {
  responses: number;
  non2xx: number;
  graphqlErrors: number;
  byCode: Record<string, number>;
}

const CONTACTS = `query Contacts($status: ID) {
  contacts(first: 20, filter: { statusId: $status }, orderBy: { field: UPDATED_AT, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id firstName lastName phone email company type
      status { name color } source { name } groups { name } } }
  }
}`;
const SEARCH = `query SearchContacts($search: String!) {
  contacts(first: 10, filter: { search: $search }) { totalCount edges { node { id firstName phone status { name } } } }
}`;
const CONTACT = `query Contact($id: ID!) {
  node(id: $id) { ... on Contact { id firstName phone company status { name } groups { name }
    messages(first: 5) { totalCount edges { node { id status createdAt } } } } }
}`;
const STATUSES =
  'query Statuses { statuses(first: 20) { totalCount edges { node { id name color } } } }';
const CREATE = `mutation CreateContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id phone status { name } } }
}`;
const UPDATE = `mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) { contact { id company updatedAt } }
}`;
const SEND = `mutation SendText($input: SendTextMessageInput!) {
  sendTextMessage(input: $input) { message { id status } }
}`;

export function workload(
  path: string,
  seeded: Seeded,
  sendTo: string[],
): { requests: Request[]; tallies: Map<string, Tally> } {
  const tallies = new Map<string, Tally>();
  let token = 0;
  let created = randomInt(1_000_000) * 5;
  const pick = <T>(list: T[]) => list[randomInt(list.length)]!;

  const request = (name: string, query: string, variables: () => Record<string, unknown>) => {
    const tally: Tally = { responses: 0, non2xx: 0, graphqlErrors: 0, byCode: {} };
    tallies.set(name, tally);
    return {
      method: 'POST',
      path,
      setupRequest: (raw) => ({
        ...raw,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${seeded.tokens[token++ % seeded.tokens.length]}`,
        },
        body: JSON.stringify({ operationName: name, query, variables: variables() }),
      }),
      onResponse: (status, body) => {
        tally.responses += 1;
        if (status < 200 || status > 299) tally.non2xx += 1;
        if (!body.includes('"errors"')) return;
        try {
          for (const error of (JSON.parse(body) as { errors?: any[] }).errors ?? []) {
            tally.graphqlErrors += 1;
            const code = String(error.extensions?.code ?? 'NONE');
            tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
          }
        } catch {
          tally.graphqlErrors += 1;
          tally.byCode.UNREADABLE = (tally.byCode.UNREADABLE ?? 0) + 1;
        }
      },
    } satisfies Request;
  };

  const contacts = request('Contacts', CONTACTS, () => ({ status: pick(seeded.statusIds) }));
  const search = request('SearchContacts', SEARCH, () => ({ search: `Contact ${randomInt(100)}` }));
  const contact = request('Contact', CONTACT, () => ({ id: pick(sendTo) }));
  const statuses = request('Statuses', STATUSES, () => ({}));
  const create = request('CreateContact', CREATE, () => ({
    input: {
      firstName: 'Load',
      lastName: `Test ${created}`,
      phone: phone('+4475', created++ % 10_000_000),
      statusId: pick(seeded.statusIds),
    },
  }));
  const update = request('UpdateContact', UPDATE, () => ({
    input: { id: pick(seeded.contactIds), company: `Company ${randomInt(1000)}` },
  }));
  const send = request('SendText', SEND, () => ({
    input: { to: { contactId: pick(sendTo) }, body: 'Your order has shipped' },
  }));

  return {
    requests: [contacts, statuses, create, search, contact, update, contacts, send, statuses],
    tallies,
  };
}
