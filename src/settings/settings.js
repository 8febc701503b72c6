// The API settings page (no build step, no dependencies): sign in with the admin key, the API
// access switch, the endpoint information and the copy buttons. Tokens are in tokens.js.
import { $, ApiError, busy, el, gql, setAdminKey } from './api.js';
import { loadTokens } from './tokens.js';

// ---- Sign in / out ----------------------------------------------------------------------------
$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('admin-key');
  const key = input.value.trim();
  const error = $('sign-in-error');
  error.textContent = '';
  if (!key) {
    error.textContent = 'Enter the admin key.';
    input.focus();
    return;
  }
  busy(event.submitter ?? input, async () => {
    try {
      const { viewer } = await gql('{ viewer { kind tenant { name apiEnabled } } }', {}, key);
      if (viewer.kind !== 'ADMIN') throw new ApiError('', 'NOT_ADMIN');
      setAdminKey(key);
      input.value = '';
      $('tenant-name').textContent = ` · ${viewer.tenant.name}`;
      showAccess(viewer.tenant.apiEnabled, '');
      await Promise.all([loadInfo(), loadTokens()]);
      $('sign-in').hidden = true;
      $('settings').hidden = false;
      $('sign-out').hidden = false;
      $('access-title').focus();
    } catch (e) {
      setAdminKey(null);
      error.textContent =
        e.code === 'UNAUTHENTICATED'
          ? 'Wrong admin key: the server refused it. Check the key and try again.'
          : e.code === 'NOT_ADMIN' || e.code === 'API_ACCESS_DISABLED'
            ? 'This is an API token, not the admin key. Sign in with the admin key.'
            : e.message;
      input.select();
      input.focus();
    }
  });
});

$('sign-out').addEventListener('click', () => {
  setAdminKey(null);
  location.replace(location.pathname);
});

// ---- API access switch ------------------------------------------------------------------------
const accessSwitch = $('api-enabled');
let saving = Promise.resolve();

function showAccess(enabled, prefix) {
  accessSwitch.checked = enabled;
  $('access-status').textContent =
    prefix +
    (enabled
      ? 'API access is on: API tokens work.'
      : 'API access is off: API tokens are refused (403); the admin key still works.');
}

// Saved at once; changes are sent in order, so the last one wins.
accessSwitch.addEventListener('change', () => {
  const enabled = accessSwitch.checked;
  $('access-status').textContent = 'Saving…';
  saving = saving.then(async () => {
    try {
      const { setApiAccess } = await gql(
        'mutation ($enabled: Boolean!) { setApiAccess(enabled: $enabled) { apiEnabled } }',
        { enabled },
      );
      showAccess(setApiAccess.apiEnabled, 'Saved. ');
    } catch (e) {
      showAccess(!enabled, `Could not save: ${e.message} `);
    }
  });
});

// ---- Endpoint information and copy buttons ----------------------------------------------------
async function loadInfo() {
  const { apiInfo } = await gql(
    '{ apiInfo { baseUrl tenant graphqlEndpoint restEndpoint websocketEndpoint exampleRequest } }',
  );
  $('info-base-url').textContent = apiInfo.baseUrl;
  $('info-tenant').textContent = apiInfo.tenant;
  $('info-endpoint').textContent = apiInfo.graphqlEndpoint;
  // The product page's own example of a complete REST endpoint.
  $('info-rest-endpoint').textContent = `${apiInfo.restEndpoint}/templates`;
  $('info-websocket').textContent = apiInfo.websocketEndpoint;
  $('info-example').textContent = apiInfo.exampleRequest;
}

async function writeClipboard(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No async clipboard (e.g. permission denied): fall back to a selection copy.
    const area = el('textarea', { value: text, readOnly: true });
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('copy failed');
  }
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest?.('[data-copy]');
  if (!button) return;
  const source = $(button.dataset.copy);
  const text = source instanceof HTMLInputElement ? source.value : source.textContent;
  const label = (button.dataset.label ??= button.textContent);
  try {
    await writeClipboard(text);
    $('copy-status').textContent = 'Copied to the clipboard.';
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = label), 1500);
  } catch {
    $('copy-status').textContent = 'Could not copy; select the text and copy it yourself.';
  }
});
