// The token sections of the settings page: generate a token (shown once), the token list, editing
// a token's abilities and revoking one after a confirm dialog.
import { $, ALL_ABILITIES, busy, data, el, gql } from './api.js';

const TOKEN_FIELDS = 'id name hint abilities createdAt lastUsedAt expiresAt revokedAt active';
let tokens = [];
let editing = null;
let revoking = null;

// ---- Ability checkboxes (server-rendered from the ability table) -----------------------------
function syncSelectAll(fieldset) {
  const boxes = [...fieldset.querySelectorAll('input[name="abilities"]')];
  const all = fieldset.querySelector('[data-select-all]');
  const checked = boxes.filter((box) => box.checked).length;
  all.checked = checked === boxes.length;
  all.indeterminate = checked > 0 && checked < boxes.length;
}
document.addEventListener('change', (event) => {
  const fieldset = event.target.closest?.('fieldset.category');
  if (!fieldset) return;
  if (event.target.matches('[data-select-all]')) {
    for (const box of fieldset.querySelectorAll('input[name="abilities"]')) {
      box.checked = event.target.checked;
    }
  }
  syncSelectAll(fieldset);
});
const checkedAbilities = (root) =>
  [...root.querySelectorAll('input[name="abilities"]:checked')].map((box) => box.value);
function setAbilities(root, abilities) {
  const granted = new Set(abilities.includes('*') ? ALL_ABILITIES : abilities);
  for (const box of root.querySelectorAll('input[name="abilities"]')) {
    box.checked = granted.has(box.value);
  }
  root.querySelectorAll('fieldset.category').forEach(syncSelectAll);
}

// The date picker offers today onwards (local time).
const today = new Date();
today.setMinutes(today.getMinutes() - today.getTimezoneOffset());
$('token-expiry').min = today.toISOString().slice(0, 10);

// ---- Generate a token --------------------------------------------------------------------------
$('create-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const error = $('create-error');
  const name = $('token-name').value.trim();
  const abilities = checkedAbilities(form);
  const day = $('token-expiry').value;
  const expiresAt = day ? new Date(`${day}T23:59:59.999`) : null;
  error.textContent = '';
  const invalid = (message, field) => {
    error.textContent = message;
    field.focus();
  };
  if (!name) return invalid('Give the token a name.', $('token-name'));
  if (abilities.length === 0) {
    return invalid('Choose at least one ability.', form.querySelector('[name="abilities"]'));
  }
  if (expiresAt && !(expiresAt > new Date())) {
    return invalid('The expiry date must be today or later.', $('token-expiry'));
  }
  busy(event.submitter ?? form, async () => {
    try {
      const { createApiToken } = await gql(
        `mutation ($input: CreateApiTokenInput!) {
          createApiToken(input: $input) { token apiToken { ${TOKEN_FIELDS} } } }`,
        { input: { name, abilities, expiresAt: expiresAt?.toISOString() ?? null } },
      );
      form.reset();
      form.querySelectorAll('fieldset.category').forEach(syncSelectAll);
      $('new-token-name').textContent = createApiToken.apiToken.name;
      $('new-token-value').value = createApiToken.token;
      $('new-token').hidden = false;
      $('new-token-title').focus();
      await loadTokens();
    } catch (e) {
      const field = { name: 'token-name', expiresAt: 'token-expiry' }[e.field];
      error.textContent = e.message;
      if (field) $(field).focus();
    }
  });
});

$('new-token-done').addEventListener('click', () => {
  $('new-token-value').value = '';
  $('new-token').hidden = true;
  $('token-name').focus();
});

// ---- Token list --------------------------------------------------------------------------------
export async function loadTokens() {
  const list = [];
  let after = null;
  do {
    const { apiTokens } = await gql(
      `query ($after: String) { apiTokens(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { ${TOKEN_FIELDS} } } } }`,
      { after },
    );
    list.push(...apiTokens.edges.map((edge) => edge.node));
    after = apiTokens.pageInfo.hasNextPage ? apiTokens.pageInfo.endCursor : null;
  } while (after);
  tokens = list;
  renderTokens();
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});
function time(iso, none) {
  if (!iso) return el('span', { className: 'muted', textContent: none });
  return el('time', { dateTime: iso, textContent: dateFormat.format(new Date(iso)) });
}
function abilitySummary(abilities) {
  const granted = new Set(abilities);
  if (granted.has('*')) return [el('strong', { textContent: 'All abilities' })];
  return data.abilityCategories
    .map((row) => [row.category, row.abilities.filter((a) => granted.has(a))])
    .filter(([, held]) => held.length > 0)
    .map(([category, held]) =>
      el('div', {}, el('strong', { textContent: `${category}: ` }), held.join(', ')),
    );
}
function status(token) {
  const [text, kind] = token.revokedAt
    ? ['Revoked', 'revoked']
    : token.active
      ? ['Active', 'active']
      : ['Expired', 'expired'];
  return el('span', { className: `badge ${kind}`, textContent: text });
}

function renderTokens() {
  const rows = tokens.map((token) => {
    const actions = token.active
      ? el(
          'div',
          { className: 'actions' },
          el('button', {
            type: 'button',
            className: 'button secondary small',
            textContent: 'Edit',
            attrs: { 'aria-label': `Edit abilities of ${token.name}`, 'data-edit': token.id },
            onclick: () => openEdit(token),
          }),
          el('button', {
            type: 'button',
            className: 'button secondary small',
            textContent: 'Revoke',
            attrs: { 'aria-label': `Revoke ${token.name}` },
            onclick: () => openRevoke(token),
          }),
        )
      : null;
    return el(
      'tr',
      {},
      el(
        'td',
        {},
        el('strong', { textContent: token.name }),
        el('div', { className: 'hint', textContent: token.hint }),
      ),
      el('td', { className: 'abilities-cell' }, ...abilitySummary(token.abilities)),
      el('td', { className: 'date' }, time(token.createdAt)),
      el('td', { className: 'date' }, time(token.lastUsedAt, 'Never')),
      el('td', { className: 'date' }, time(token.expiresAt, 'Never')),
      el('td', {}, status(token)),
      el('td', {}, actions),
    );
  });
  $('tokens-body').replaceChildren(...rows);
  $('tokens-empty').hidden = tokens.length > 0;
  $('tokens-table').hidden = tokens.length === 0;
}

// ---- Edit abilities ----------------------------------------------------------------------------
const editDialog = $('edit-dialog');
function openEdit(token) {
  editing = token;
  $('edit-name').textContent = token.name;
  $('edit-error').textContent = '';
  setAbilities(editDialog, token.abilities);
  editDialog.showModal();
}
$('edit-form').addEventListener('submit', (event) => {
  event.preventDefault();
  let abilities = checkedAbilities(editDialog);
  if (abilities.length === 0) {
    $('edit-error').textContent = 'Choose at least one ability.';
    return;
  }
  // A token holding `*` keeps it (and so future abilities) when everything stays checked.
  if (editing.abilities.includes('*') && abilities.length === ALL_ABILITIES.length) {
    abilities = ['*'];
  }
  busy(event.submitter ?? event.target, async () => {
    try {
      const { id, name } = editing;
      await gql(
        `mutation ($input: UpdateApiTokenInput!) {
          updateApiToken(input: $input) { apiToken { id } } }`,
        { input: { id, abilities } },
      );
      editDialog.close();
      await loadTokens();
      $('tokens-status').textContent = `Abilities of “${name}” saved.`;
      document.querySelector(`[data-edit="${CSS.escape(id)}"]`)?.focus();
    } catch (e) {
      $('edit-error').textContent = e.message;
    }
  });
});

// ---- Revoke, after confirming ------------------------------------------------------------------
const revokeDialog = $('revoke-dialog');
function openRevoke(token) {
  revoking = token;
  $('revoke-name').textContent = token.name;
  $('revoke-error').textContent = '';
  revokeDialog.showModal();
}
$('revoke-confirm').addEventListener('click', (event) =>
  busy(event.currentTarget, async () => {
    try {
      const name = revoking.name;
      await gql(
        `mutation ($input: RevokeApiTokenInput!) {
          revokeApiToken(input: $input) { apiToken { id } } }`,
        { input: { id: revoking.id } },
      );
      revokeDialog.close();
      await loadTokens();
      $('tokens-status').textContent = `Token “${name}” revoked.`;
      $('tokens-title').focus();
    } catch (e) {
      $('revoke-error').textContent = e.message;
    }
  }),
);
for (const button of document.querySelectorAll('dialog [data-close]')) {
  button.addEventListener('click', () => button.closest('dialog').close());
}
