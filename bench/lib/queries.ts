/** The read benchmark's gateway queries, by page size. */
export const GATEWAY_QUERIES = {
  flat: (first: number) =>
    `{ contacts(first: ${first}) { edges { node { id firstName lastName phone } } } }`,
  nested: (first: number) =>
    `{ contacts(first: ${first}) { edges { node { id firstName lastName phone status { name color } source { name } groups { name } } } } }`,
  /** The nested connection: `groups` pages of `contacts` pages. */
  groups: (groups: number, contacts: number) =>
    `{ groups(first: ${groups}) { edges { node { name contacts(first: ${contacts}) { edges { node { firstName phone status { name } } } } } } } }`,
};
