import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/types.js';
import { findTenantBySubdomain, SUBDOMAIN_PATTERN } from '../tenants/repo.js';
import { escapeHtml } from '../settings/page.js';
import { CONTENT_SECURITY_POLICY } from '../settings/plugin.js';
import { buildOpenApiDocument, documentFor } from './openapi.js';
import type { JsonSchema } from './json-schema.js';
import { errorResponse } from './errors.js';
import { REST_ROUTES } from './routes.js';

const PAGE = /^\/api\/v1\/([^/]+)\/(openapi\.json|docs)\/?$/;
const ASSET_PREFIX = '/rest-docs/';

/**
 * Swagger UI from the `swagger-ui-dist` package and our own start-up script, read once and served
 * under `/rest-docs/` with a content hash in the URL (cached for good), like the settings page's.
 */
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const FILES: [name: string, path: string | URL, type: string][] = [
  ['swagger-ui.css', join(swaggerDir, 'swagger-ui.css'), 'text/css'],
  ['swagger-ui-bundle.js', join(swaggerDir, 'swagger-ui-bundle.js'), 'text/javascript'],
  ['docs.js', new URL('./docs.js', import.meta.url), 'text/javascript'],
];
const STATIC = new Map(
  FILES.map(([name, path, type]) => {
    const body = readFileSync(path, 'utf8');
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    return [`${ASSET_PREFIX}${name}`, { body, version, type: `${type}; charset=utf-8` }];
  }),
);
const versioned = (name: string) =>
  `${ASSET_PREFIX}${name}?v=${STATIC.get(`${ASSET_PREFIX}${name}`)!.version}`;

/**
 * Swagger UI runs from this origin's files only and calls this origin only ("Try it out" sends to
 * the document's server, this origin). `style-src 'unsafe-inline'` is not needed: Swagger UI sets
 * styles through the DOM (allowed), never with inline `<style>` or `style=` markup. So it runs under
 * the settings page's policy as it is.
 */
export const DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': DOCS_CONTENT_SECURITY_POLICY,
  'cache-control': 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function renderDocsPage(subdomain: string): string {
  const spec = `/api/v1/${encodeURIComponent(subdomain)}/openapi.json`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <link rel="icon" href="data:,">
  <title>REST API reference · ${escapeHtml(subdomain)}</title>
  <link rel="stylesheet" href="${versioned('swagger-ui.css')}">
  <script src="${versioned('swagger-ui-bundle.js')}" defer></script>
  <script src="${versioned('docs.js')}" defer></script>
</head>
<body>
  <main id="swagger-ui" data-spec-url="${escapeHtml(spec)}">
    <noscript>This reference needs JavaScript. The document itself is at
      <a href="${escapeHtml(spec)}">openapi.json</a>.</noscript>
  </main>
</body>
</html>
`;
}

/** Serialized documents by base URL and tenant; few in practice, bounded all the same. */
const MAX_CACHED = 200;

/**
 * Serves `GET /api/v1/:tenant/openapi.json` (OpenAPI 3.1, no authentication: it holds no tenant
 * data) and `GET /api/v1/:tenant/docs` (Swagger UI on that document); an unknown tenant is 404
 * `TENANT_NOT_FOUND` for both. The document is built once per process from REST_ROUTES, and
 * serialized once per base URL and tenant.
 */
export function useRestDocs(options: {
  db: Kysely<Database>;
  logger: Logger;
  baseUrl: (request: { url: string }) => string;
}): Plugin {
  let base: JsonSchema | undefined;
  const serialized = new Map<string, { body: string; etag: string }>();
  const documentJson = (baseUrl: string, tenant: string) => {
    const key = `${baseUrl} ${tenant}`;
    let entry = serialized.get(key);
    if (!entry) {
      base ??= buildOpenApiDocument(REST_ROUTES);
      const body = JSON.stringify(documentFor(base, baseUrl, tenant));
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 24)}"`;
      entry = { body, etag };
      if (serialized.size >= MAX_CACHED) serialized.delete(serialized.keys().next().value!);
      serialized.set(key, entry);
    }
    return entry;
  };

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const file = STATIC.get(url.pathname);
      const match = file ? undefined : PAGE.exec(url.pathname);
      if (!file && !match) return;

      const head = request.method === 'HEAD';
      const respond = (status: number, body: string | null, headers: Record<string, string>) =>
        endResponse(new fetchAPI.Response(head ? null : body, { status, headers: { ...headers } }));

      if (request.method !== 'GET' && !head) {
        endResponse(
          errorResponse(
            405,
            {
              message: `${url.pathname} does not take ${request.method}; it takes GET, HEAD.`,
              code: 'METHOD_NOT_ALLOWED',
            },
            { allow: 'GET, HEAD' },
          ),
        );
        return;
      }
      if (file) {
        const etag = `"${file.version}"`;
        const headers = {
          'content-type': file.type,
          'cache-control': url.searchParams.has('v')
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
          etag,
          'x-content-type-options': 'nosniff',
        };
        if (request.headers.get('if-none-match') === etag) respond(304, null, headers);
        else respond(200, file.body, headers);
        return;
      }

      let subdomain = '';
      try {
        subdomain = decodeURIComponent(match![1]!).toLowerCase();
      } catch {
        // A malformed escape names no tenant.
      }
      let tenant;
      try {
        tenant = SUBDOMAIN_PATTERN.test(subdomain)
          ? await findTenantBySubdomain(options.db, subdomain)
          : undefined;
      } catch (error) {
        options.logger.error({ err: error }, 'REST docs: tenant lookup failed');
        endResponse(
          errorResponse(500, { message: 'Unexpected error.', code: 'INTERNAL_SERVER_ERROR' }),
        );
        return;
      }
      if (!tenant) {
        endResponse(
          errorResponse(404, {
            message: `No tenant ${JSON.stringify(subdomain.slice(0, 100))}.`,
            code: 'TENANT_NOT_FOUND',
          }),
        );
        return;
      }

      if (match![2] === 'docs') {
        respond(200, renderDocsPage(tenant.subdomain), PAGE_HEADERS);
        return;
      }
      const { body, etag } = documentJson(options.baseUrl(request), tenant.subdomain);
      const headers = {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-cache',
        etag,
      };
      if (request.headers.get('if-none-match') === etag) respond(304, null, headers);
      else respond(200, body, headers);
    },
  };
}
