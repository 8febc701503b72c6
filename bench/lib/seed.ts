/**
 * Seeds the demo tenant through the API, as an integration would: API tokens (the admin key creates
 * them), statuses, sources, groups and contacts linked to them.
 */
export interface Seeded {
  tokens: string[];
  statusIds: string[];
  contactIds: string[];
}

export const BENCH_ABILITIES = [
  'contacts.read',
  'contacts.create',
  'contacts.update',
  'statuses.read',
  'sources.read',
  'groups.read',
  'messages.send_text',
];

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

export function gqlClient(endpoint: string, secret: string): Gql {
  return async (query, variables) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (response.status !== 200 || body.errors) {
      throw new Error(`seeding failed (${response.status}): ${JSON.stringify(body.errors)}`);
    }
    return body.data;
  };
}

/** A valid UK mobile number, unique per `n` < 10^7; it ends in 1, so never in 0666 (which fails). */
export function phone(prefix: '+4474' | '+4475', n: number): string {
  return `${prefix}${String(n * 10 + 1).padStart(8, '0')}`;
}

export async function seed(
  endpoint: string,
  adminKey: string,
  counts: { tokens: number; contacts: number },
): Promise<Seeded> {
  const admin = gqlClient(endpoint, adminKey);
  const tokens: string[] = [];
  for (let i = 0; i < counts.tokens; i++) {
    const data = await admin(
      'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
      { input: { name: `bench-${i}`, abilities: BENCH_ABILITIES } },
    );
    tokens.push(data.createApiToken.token);
  }
  const ids = async (mutation: string, type: string, inputs: Record<string, unknown>[]) => {
    const out: string[] = [];
    for (const input of inputs) {
      const data = await admin(
        `mutation($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { ${type} { id } } }`,
        { input },
      );
      out.push(data[mutation][type].id);
    }
    return out;
  };
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
  const statusIds = await ids(
    'createStatus',
    'status',
    ['New', 'Contacted', 'Qualified', 'Customer', 'Lost'].map((name, i) => ({
      name,
      color: palette[i],
    })),
  );
  const sourceIds = await ids(
    'createSource',
    'source',
    ['Website', 'Referral', 'Trade show'].map((name) => ({ name })),
  );
  const groupIds = await ids(
    'createGroup',
    'group',
    ['Newsletter', 'VIP', 'Spring sale'].map((name) => ({ name })),
  );

  const contactIds: string[] = new Array(counts.contacts);
  let next = 0;
  const worker = async (token: string) => {
    const client = gqlClient(endpoint, token);
    for (let i = next++; i < counts.contacts; i = next++) {
      const data = await client(
        'mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }',
        {
          input: {
            firstName: `Contact ${i}`,
            lastName: ['Smith', 'Jones', 'Patel', 'Garcia'][i % 4],
            phone: phone('+4474', i),
            email: `contact${i}@example.com`,
            company: i % 3 === 0 ? 'Acme Ltd' : null,
            statusId: statusIds[i % statusIds.length],
            sourceId: sourceIds[i % sourceIds.length],
            groupIds: [groupIds[i % groupIds.length]],
          },
        },
      );
      contactIds[i] = data.createContact.contact.id;
    }
  };
  await Promise.all(tokens.slice(0, 8).map(worker));
  return { tokens, statusIds, contactIds };
}
