import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/types.js';
import { findTenantBySubdomain, SUBDOMAIN_PATTERN } from '../tenants/repo.js';
import {
  renderErrorPage,
  renderNotFoundPage,
  renderSettingsPage,
  type PageAssets,
} from './page.js';

const PAGE = /^\/api\/v1\/([^/]+)\/settings\/?$/;

/**
 * The page's own files, read once and served under `/settings/`. The page links them with a content
 * hash in the URL (cached for good); the modules that settings.js imports are revalidated by ETag.
 */
const FILES = ['settings.css', 'tokens.css', 'settings.js', 'tokens.js', 'api.js'];
const STATIC = new Map(
  FILES.map((file) => {
    const body = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const type = file.endsWith('.css') ? 'text/css' : 'text/javascript';
    return [`/settings/${file}`, { body, version, type: `${type}; charset=utf-8` }];
  }),
);
const versioned = (file: string) =>
  `/settings/${file}?v=${STATIC.get(`/settings/${file}`)!.version}`;

const ASSETS: PageAssets = {
  css: [versioned('settings.css'), versioned('tokens.css')],
  js: versioned('settings.js'),
};

/** Scripts and styles from this origin only, requests to this origin only, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  // The page's forms are handled by its script; should it not run, nothing is submitted anywhere.
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The subdomain named in `/api/v1/:tenant/settings`, lower-cased; undefined for other paths. */
function subdomainOf(pathname: string): string | undefined {
  const match = PAGE.exec(pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!).toLowerCase();
  } catch {
    return '';
  }
}

/**
 * Serves the API settings page at `GET /api/v1/:tenant/settings` (404 page for an unknown tenant)
 * and its static files under `/settings/`. Every other request passes through to yoga.
 */
export function useSettingsPage(db: Kysely<Database>, logger: Logger): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const file = STATIC.get(url.pathname);
      const subdomain = file ? undefined : subdomainOf(url.pathname);
      if (!file && subdomain === undefined) return;

      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      // A fresh headers object each time: the Response writes its content-length into it.
      const respond = (status: number, body: string, headers: Record<string, string>) =>
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
            status,
            headers: { ...headers },
          }),
        );

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
        if (request.headers.get('if-none-match') === etag) {
          endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        } else {
          respond(200, file.body, headers);
        }
        return;
      }
      let tenant;
      try {
        tenant =
          subdomain && SUBDOMAIN_PATTERN.test(subdomain)
            ? await findTenantBySubdomain(db, subdomain)
            : undefined;
      } catch (error) {
        logger.error({ err: error }, 'settings page: tenant lookup failed');
        respond(500, renderErrorPage(ASSETS), PAGE_HEADERS);
        return;
      }
      if (!tenant) {
        respond(404, renderNotFoundPage(subdomain ?? '', ASSETS), PAGE_HEADERS);
        return;
      }
      respond(200, renderSettingsPage(tenant.subdomain, ASSETS), PAGE_HEADERS);
    },
  };
}
