import type { Kysely } from 'kysely';
import {
  type CountryCode,
  getExampleNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import type { Database, NewContact } from '../../src/db/types.js';

const CONTACT_COUNT = 300;

const SOURCES = [
  'Website',
  'Facebook ad',
  'Instagram',
  'Referral',
  'Trade fair',
  'WhatsApp click-to-chat',
  'Cold outreach',
];

const GROUPS = [
  { name: 'Newsletter', description: 'Opted in to the monthly product news.' },
  { name: 'VIP customers', description: 'Early access to launches and offers.' },
  { name: 'Black Friday 2026', description: 'Audience of the Black Friday campaign.' },
  { name: 'Webinar attendees', description: null },
  { name: 'Abandoned cart', description: 'Left a cart in the last 30 days.' },
  { name: 'Beta testers', description: null },
];

/**
 * Names by country, so that a contact's name, phone and country agree. First names are separated
 * by spaces, last names by "|" (some have spaces; an empty one is a contact without a last name).
 */
const PEOPLE: Record<string, { first: string; last: string; domain: string }> = {
  GB: {
    first: 'Oliver Amelia Harry Isla George Ava Jack Emily',
    last: 'Smith|Jones|Taylor|Brown|Wilson|Evans|Hughes|',
    domain: 'example.co.uk',
  },
  US: {
    first: 'James Olivia Liam Emma Noah Sophia Mason Mia',
    last: 'Johnson|Williams|Miller|Davis|Garcia|Martinez|Anderson|Moore',
    domain: 'example.com',
  },
  IN: {
    first: 'Aarav Ananya Vivaan Diya Vihaan Saanvi Arjun Priya',
    last: 'Sharma|Patel|Singh|Kumar|Gupta|Reddy|Iyer|Shah',
    domain: 'example.in',
  },
  BR: {
    first: 'João Maria Pedro Ana Lucas Júlia Gabriel Beatriz',
    last: 'Silva|Santos|Oliveira|Souza|Lima|Pereira|Costa|Rodrigues',
    domain: 'exemplo.com.br',
  },
  DE: {
    first: 'Lukas Mia Leon Hannah Finn Lea Jonas Lena',
    last: 'Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker',
    domain: 'beispiel.de',
  },
  FR: {
    first: 'Louis Léa Gabriel Chloé Hugo Manon Arthur Camille',
    last: 'Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand',
    domain: 'exemple.fr',
  },
  ES: {
    first: 'Hugo Lucía Martín Sofía Pablo Martina Daniel Paula',
    last: 'García|Fernández|González|López|Martínez|Sánchez|Pérez|Gómez',
    domain: 'ejemplo.es',
  },
  MX: {
    first: 'Santiago Valentina Mateo Regina Diego Ximena Emiliano Camila',
    last: 'Hernández|Ramírez|Flores|Torres|Rivera|Cruz|Morales|Reyes',
    domain: 'ejemplo.mx',
  },
  NG: {
    first: 'Chinedu Ngozi Emeka Aisha Tunde Funmi Ibrahim Zainab',
    last: 'Okafor|Adeyemi|Bello|Eze|Okonkwo|Balogun|Musa|',
    domain: 'example.ng',
  },
  ZA: {
    first: 'Thabo Lerato Sipho Naledi Pieter Anke Themba Zanele',
    last: 'Nkosi|Dlamini|van der Merwe|Botha|Mokoena|Naidoo|Khumalo|Pretorius',
    domain: 'example.co.za',
  },
  AE: {
    first: 'Mohammed Fatima Omar Mariam Khalid Noura Saeed Layla',
    last: 'Al Mansoori|Al Hashimi|Al Nuaimi|Haddad|Khoury|Al Suwaidi||Nasser',
    domain: 'example.ae',
  },
  ID: {
    first: 'Budi Siti Agus Dewi Rizky Putri Andi Ayu',
    last: 'Santoso|Wijaya|Saputra|Hidayat|Kusuma|Pratama||Lestari',
    domain: 'contoh.co.id',
  },
  IT: {
    first: 'Leonardo Sofia Francesco Giulia Alessandro Aurora Lorenzo Alice',
    last: 'Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci',
    domain: 'esempio.it',
  },
  KE: {
    first: 'Brian Faith Kevin Mercy Dennis Wanjiru Otieno Akinyi',
    last: 'Mwangi|Otieno|Kamau|Wanjiku|Kiprop|Njoroge|Ochieng|',
    domain: 'example.co.ke',
  },
  AU: {
    first: 'William Charlotte Jack Olivia Thomas Matilda Lachlan Ruby',
    last: "Smith|O'Brien|Kelly|Nguyen|Campbell|Walker|Harris|Mitchell",
    domain: 'example.com.au',
  },
};

const COMPANIES = [
  'Acme Trading',
  'Blue Harbour Foods',
  'Nimbus Apparel',
  'Sunrise Dental',
  'Kite & Co',
  'Orbit Fitness',
  'Greenleaf Organics',
  'Northwind Logistics',
  'Copper Kettle Café',
  'Pixel Forge Studio',
  'Atlas Realty',
  'Lumen Opticians',
];

const DESCRIPTIONS = [
  'Asked about bulk pricing.',
  'Prefers messages after 6 pm.',
  'Met at the spring trade fair.',
  'Interested in the annual plan.',
  'Wants a demo for the team.',
];

/** mulberry32: a small seeded PRNG, so the demo data is the same on every machine and every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid mobile number of `country`, distinct for each `index` (its last five digits vary). */
function phoneFor(country: CountryCode, index: number): string | undefined {
  const national = getExampleNumber(country, examples)?.nationalNumber;
  if (!national || national.length < 7) return undefined;
  const suffix = String((index * 7919) % 100000).padStart(5, '0');
  const number = parsePhoneNumberWithError(national.slice(0, -5) + suffix, country);
  return number.isValid() ? number.number : undefined;
}

/** For email addresses: "Müller" → "muller". */
const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

/**
 * Demo sources, groups and a few hundred contacts for `tenantId`, spread over countries, types,
 * statuses, sources and groups. Deterministic, and a second run adds nothing: names and phones are
 * unique per tenant, so every insert skips what exists, and only contacts added by this run are
 * put into groups. Returns how many rows of each kind it added.
 */
export async function seedContacts(
  db: Kysely<Database>,
  tenantId: string,
): Promise<Record<string, number>> {
  const sources = await db
    .insertInto('sources')
    .values(SOURCES.map((name) => ({ tenant_id: tenantId, name })))
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  const groups = await db
    .insertInto('groups')
    .values(GROUPS.map((group) => ({ tenant_id: tenantId, ...group })))
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  const idsByName = async (table: 'statuses' | 'sources' | 'groups') => {
    const rows = await db
      .selectFrom(table)
      .select(['id', 'name'])
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return new Map(rows.map((row) => [row.name.toLowerCase(), row.id]));
  };
  const statusIds = [...(await idsByName('statuses')).values()];
  const sourceIds = [...(await idsByName('sources')).values()];
  const groupIds = await idsByName('groups');

  const next = random(20261125);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(next() * list.length)];
  const countries = Object.keys(PEOPLE) as CountryCode[];
  const now = Date.now();
  const contacts: NewContact[] = [];
  const groupsByPhone = new Map<string, string[]>();
  for (let i = 0; i < CONTACT_COUNT; i += 1) {
    const country = pick(countries)!;
    const people = PEOPLE[country]!;
    const first = pick(people.first.split(' '))!;
    const last = pick(people.last.split('|'))!;
    const email = next() < 0.8 ? `${ascii(first)}.${ascii(last) || i}@${people.domain}` : null;
    const createdAt = now - Math.floor(next() * 365 * 86_400_000);
    const row = {
      tenant_id: tenantId,
      first_name: first,
      last_name: last,
      company: next() < 0.6 ? pick(COMPANIES)! : null,
      type: next() < 0.35 ? ('customer' as const) : ('lead' as const),
      email,
      country,
      description: next() < 0.2 ? pick(DESCRIPTIONS)! : null,
      status_id: next() < 0.9 ? (pick(statusIds) ?? null) : null,
      source_id: next() < 0.85 ? (pick(sourceIds) ?? null) : null,
      created_at: new Date(createdAt),
      updated_at: new Date(createdAt + Math.floor(next() * (now - createdAt))),
    };
    const memberOf = GROUPS.filter(() => next() < 0.2).map((g) =>
      groupIds.get(g.name.toLowerCase()),
    );
    const phone = phoneFor(country, i);
    if (!phone) continue;
    contacts.push({ ...row, phone });
    groupsByPhone.set(
      phone,
      memberOf.filter((id) => id !== undefined),
    );
  }

  const added = await db
    .insertInto('contacts')
    .values(contacts)
    .onConflict((oc) => oc.columns(['tenant_id', 'phone']).doNothing())
    .returning(['id', 'phone'])
    .execute();
  const memberships = added.flatMap(({ id, phone }) =>
    (groupsByPhone.get(phone) ?? []).map((groupId) => ({
      tenant_id: tenantId,
      group_id: groupId,
      contact_id: id,
    })),
  );
  if (memberships.length > 0) {
    await db
      .insertInto('contact_groups')
      .values(memberships)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return {
    sources: sources.length,
    groups: groups.length,
    contacts: added.length,
    groupMemberships: memberships.length,
  };
}
