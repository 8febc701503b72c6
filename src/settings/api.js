// What the settings page's modules share: the page data, the GraphQL client and DOM helpers.
// The admin key lives in `adminKey` below, in this module's memory only (no storage, no cookie,
// no URL): reloading or closing the tab forgets it.

/** Rendered by the server from the ability table (src/auth/abilities.ts) and the tenant. */
export const data = JSON.parse(document.getElementById('settings-data').textContent);
export const ALL_ABILITIES = data.abilityCategories.flatMap((row) => row.abilities);
export const $ = (id) => document.getElementById(id);

let adminKey = null;

export function setAdminKey(key) {
  adminKey = key;
}

export class ApiError extends Error {
  constructor(message, code, field) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** Runs a GraphQL operation as the admin; throws ApiError with the first error's code and field. */
export async function gql(query, variables = {}, key = adminKey) {
  let response;
  try {
    response = await fetch(data.graphqlPath, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('Could not reach the server. Check your connection and try again.');
  }
  const body = await response.json().catch(() => ({}));
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code, error.extensions?.field);
  if (!response.ok || !body.data) throw new ApiError(`The server answered ${response.status}.`);
  return body.data;
}

/** Marks `button` busy while `action` runs; it stays focusable, so keyboard focus is not lost. */
export async function busy(button, action) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    button.removeAttribute('aria-busy');
  }
}

/** A DOM element from properties (`attrs` for attributes) and children; text is never parsed. */
export function el(tag, { attrs = {}, ...props } = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child != null));
  return node;
}
