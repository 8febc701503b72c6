import { ABILITY_TABLE } from '../auth/abilities.js';

/**
 * The HTML of the tenant's API settings page (API.md: `GET /api/v1/:tenant/settings`). The page is
 * a shell: it holds no secret and no tenant data beyond the subdomain. After the admin signs in
 * with the admin key, settings.js reads and changes everything through the GraphQL API.
 */
export interface PageAssets {
  /** URLs of the page's stylesheets and its script, a module (same origin, for the CSP). */
  css: string[];
  js: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** JSON that is safe inside `<script type="application/json">`: no `</script>`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** `contacts.read` → "Read", `messages.send_text` → "Send text". */
export function abilityLabel(ability: string): string {
  const action = ability.slice(ability.indexOf('.') + 1).replace(/_/g, ' ');
  return action.charAt(0).toUpperCase() + action.slice(1);
}

/** One fieldset per category of the ability table, each with its "Select all" box. */
function abilityFieldsets(idPrefix: string): string {
  return ABILITY_TABLE.map((row, index) => {
    const legendId = `${idPrefix}-cat-${index}`;
    const boxes = row.abilities
      .map(
        (ability) => `
          <label class="check">
            <input type="checkbox" name="abilities" value="${escapeHtml(ability)}">
            <span>${escapeHtml(abilityLabel(ability))}</span>
            <code>${escapeHtml(ability)}</code>
          </label>`,
      )
      .join('');
    return `
      <fieldset class="category" aria-labelledby="${legendId}">
        <legend id="${legendId}">${escapeHtml(row.category)}</legend>
        <label class="check select-all">
          <input type="checkbox" data-select-all>
          <span>Select all<span class="visually-hidden"> ${escapeHtml(row.category)} abilities</span></span>
        </label>
        <div class="options">${boxes}
        </div>
      </fieldset>`;
  }).join('');
}

function layout(title: string, assets: PageAssets, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <link rel="icon" href="data:,">
  <title>${escapeHtml(title)}</title>
${assets.css.map((href) => `  <link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n')}${head}
</head>
<body>${body}
</body>
</html>
`;
}

function messagePage(title: string, message: string, assets: PageAssets): string {
  return layout(
    title,
    assets,
    '',
    `
  <main class="narrow">
    <section class="card">
      <h1>${escapeHtml(title)}</h1>
      <p>${message}</p>
    </section>
  </main>`,
  );
}

export function renderNotFoundPage(subdomain: string, assets: PageAssets): string {
  return messagePage(
    'Workspace not found',
    `There is no workspace <code>${escapeHtml(subdomain)}</code>. Check the address: it is
        <code>/api/v1/&lt;your subdomain&gt;/settings</code>.`,
    assets,
  );
}

/** For an unexpected failure; the details stay in the server's log. */
export function renderErrorPage(assets: PageAssets): string {
  return messagePage('Something went wrong', 'Please try again in a moment.', assets);
}

export function renderSettingsPage(subdomain: string, assets: PageAssets): string {
  const sub = escapeHtml(subdomain);
  const graphqlPath = `/api/v1/${encodeURIComponent(subdomain)}/graphql`;
  const restDocsPath = `/api/v1/${encodeURIComponent(subdomain)}/docs`;
  const data = { tenant: subdomain, graphqlPath, abilityCategories: ABILITY_TABLE };
  const head = `
  <script type="application/json" id="settings-data">${jsonForScript(data)}</script>
  <script type="module" src="${escapeHtml(assets.js)}"></script>`;
  const copyRow = (id: string, label: string) => `
        <div class="info-row">
          <dt id="${id}-label">${label}</dt>
          <dd><code id="${id}"></code>
            <button type="button" class="button secondary small" data-copy="${id}"
              aria-label="Copy ${label}">Copy</button></dd>
        </div>`;

  return layout(
    `API settings · ${subdomain}`,
    assets,
    head,
    `
  <header class="topbar">
    <div>
      <p class="eyebrow">API Integration &amp; Access</p>
      <h1>API settings</h1>
      <p class="muted">Workspace <code>${sub}</code><span id="tenant-name"></span></p>
    </div>
    <button type="button" id="sign-out" class="button secondary" hidden>Sign out</button>
  </header>
  <main>
    <section id="sign-in" class="card narrow" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p>Enter the admin key of <code>${sub}</code>, printed once when the workspace was created:
        by <code>npm start</code> for the demo workspace, by <code>tenant create</code> for any
        other (<code>tenant rotate-admin-key</code> replaces a lost one).
        It is kept in this tab's memory only: reloading or closing the tab forgets it.</p>
      <form id="sign-in-form" method="post" autocomplete="off" novalidate>
        <label for="admin-key">Admin key</label>
        <input id="admin-key" type="password" required spellcheck="false" autocapitalize="off"
          aria-describedby="sign-in-error" placeholder="wma_…">
        <p id="sign-in-error" class="error" role="alert"></p>
        <button type="submit" class="button">Sign in</button>
      </form>
    </section>

    <div id="settings" hidden>
      <section class="card" aria-labelledby="access-title">
        <h2 id="access-title" tabindex="-1">API access</h2>
        <div class="switch-row">
          <input type="checkbox" role="switch" id="api-enabled" aria-describedby="access-status">
          <label for="api-enabled">Enable API access</label>
        </div>
        <p id="access-status" class="status" role="status"></p>
      </section>

      <section class="card" aria-labelledby="create-title">
        <h2 id="create-title">Generate new token</h2>
        <form id="create-form" novalidate>
          <label for="token-name">Token name</label>
          <input id="token-name" required maxlength="100" aria-describedby="token-name-hint">
          <p id="token-name-hint" class="hint">What uses it, e.g. “zapier” or “shop sync”.</p>
          <h3 class="label">Abilities</h3>
          <div class="abilities" id="create-abilities">${abilityFieldsets('create')}
          </div>
          <label for="token-expiry">Expires on <span class="muted">(optional)</span></label>
          <input id="token-expiry" type="date" aria-describedby="token-expiry-hint">
          <p id="token-expiry-hint" class="hint">The token stops working at the end of that day.
            Leave empty for a token that does not expire.</p>
          <p id="create-error" class="error" role="alert"></p>
          <button type="submit" class="button">Generate token</button>
        </form>
        <div id="new-token" class="new-token" hidden>
          <h3 id="new-token-title" tabindex="-1">Token “<span id="new-token-name"></span>” created</h3>
          <p class="warning"><strong>Copy it now: it will not be shown again.</strong> Only its hash is
            stored. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
          <div class="copy-field">
            <input id="new-token-value" readonly aria-label="New API token" spellcheck="false">
            <button type="button" class="button" data-copy="new-token-value"
              aria-label="Copy the new token">Copy</button>
          </div>
          <button type="button" id="new-token-done" class="button secondary">Done</button>
        </div>
      </section>

      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title" tabindex="-1">API tokens</h2>
        <p id="tokens-status" class="status" role="status"></p>
        <p id="tokens-empty" class="muted" hidden>No tokens yet.</p>
        <div class="table-wrap">
          <table id="tokens-table">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Abilities</th><th scope="col">Created</th>
                <th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Status</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody id="tokens-body"></tbody>
          </table>
        </div>
      </section>

      <section class="card" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">API endpoint</h2>
        <dl class="info">${copyRow('info-base-url', 'API base URL')}${copyRow('info-tenant', 'Tenant subdomain')}${copyRow('info-endpoint', 'Complete endpoint (GraphQL)')}${copyRow('info-rest-endpoint', 'Complete endpoint (REST)')}${copyRow('info-websocket', 'WebSocket endpoint')}
        </dl>
        <p class="hint">The REST endpoint shown reads the WhatsApp templates; every REST resource
          (contacts, statuses, sources, groups, templates, bots, messages) is listed in the REST API
          reference.</p>
        <h3>Example request</h3>
        <pre><code id="info-example"></code></pre>
        <p class="actions">
          <button type="button" class="button secondary small" data-copy="info-example"
            aria-label="Copy the example request">Copy</button>
          <a class="button secondary small" href="${escapeHtml(graphqlPath)}" target="_blank"
            rel="noopener">Open the GraphiQL playground</a>
          <a class="button secondary small" href="${escapeHtml(restDocsPath)}" target="_blank"
            rel="noopener">Open the REST API reference</a>
        </p>
        <p class="hint">In GraphiQL, put <code>{"Authorization": "Bearer &lt;token&gt;"}</code> in the
          Headers tab.</p>
      </section>
    </div>
    <p id="copy-status" class="visually-hidden" role="status"></p>
  </main>

  <dialog id="edit-dialog" aria-labelledby="edit-title">
    <form id="edit-form" novalidate>
      <h2 id="edit-title">Abilities of “<span id="edit-name"></span>”</h2>
      <p class="hint">Changes apply from the token's next request.</p>
      <div class="abilities">${abilityFieldsets('edit')}
      </div>
      <p id="edit-error" class="error" role="alert"></p>
      <div class="actions end">
        <button type="button" class="button secondary" data-close>Cancel</button>
        <button type="submit" class="button">Save abilities</button>
      </div>
    </form>
  </dialog>

  <dialog id="revoke-dialog" aria-labelledby="revoke-title" aria-describedby="revoke-text">
    <h2 id="revoke-title">Revoke “<span id="revoke-name"></span>”?</h2>
    <p id="revoke-text">Requests with this token are refused from now on (401). This cannot be undone.</p>
    <p id="revoke-error" class="error" role="alert"></p>
    <div class="actions end">
      <button type="button" class="button secondary" data-close autofocus>Cancel</button>
      <button type="button" id="revoke-confirm" class="button danger">Revoke token</button>
    </div>
  </dialog>`,
  );
}
