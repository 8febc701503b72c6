/**
 * The one table of token abilities (API.md "Abilities"). The schema's scope rules, the CLI, the
 * settings page and the tests all read it from here; nothing else spells an ability string.
 */
export const ABILITY_TABLE = [
  {
    category: 'Contacts',
    abilities: ['contacts.create', 'contacts.read', 'contacts.update', 'contacts.delete'],
  },
  {
    category: 'Statuses',
    abilities: ['statuses.create', 'statuses.read', 'statuses.update', 'statuses.delete'],
  },
  {
    category: 'Sources',
    abilities: ['sources.create', 'sources.read', 'sources.update', 'sources.delete'],
  },
  { category: 'Templates', abilities: ['templates.read'] },
  { category: 'Message bots', abilities: ['message_bots.read'] },
  { category: 'Template bots', abilities: ['template_bots.read'] },
  {
    category: 'Groups',
    abilities: ['groups.create', 'groups.read', 'groups.update', 'groups.delete'],
  },
  {
    category: 'Message sending',
    abilities: ['messages.send_text', 'messages.send_media', 'messages.send_template'],
  },
] as const;

export type Ability = (typeof ABILITY_TABLE)[number]['abilities'][number];

/** `*` grants every ability, including ones added to the table later. */
export const ALL_ABILITIES = '*';
export type AbilityGrant = Ability | typeof ALL_ABILITIES;

export const ABILITIES: readonly Ability[] = ABILITY_TABLE.flatMap((row) => row.abilities);

/** Reading messages and their delivery status needs any one of these (API.md). */
export const MESSAGE_READ_ABILITIES: readonly Ability[] = [
  'messages.send_text',
  'messages.send_media',
  'messages.send_template',
];

const known = new Set<string>([...ABILITIES, ALL_ABILITIES]);

export function isAbilityGrant(value: string): value is AbilityGrant {
  return known.has(value);
}

export function categoryOf(ability: Ability): string {
  return ABILITY_TABLE.find((row) => (row.abilities as readonly string[]).includes(ability))!
    .category;
}

/** Whether a token holding `grants` may use `ability`. */
export function grants(granted: ReadonlySet<string>, ability: Ability): boolean {
  return granted.has(ALL_ABILITIES) || granted.has(ability);
}
