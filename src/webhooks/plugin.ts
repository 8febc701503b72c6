import type { Plugin } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { handleWhatsAppWebhook } from './whatsapp.js';

/** Serves GET and POST /webhooks/whatsapp (see whatsapp.ts) beside the GraphQL endpoint. */
export function useWhatsAppWebhook(deps: {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
}): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/webhooks/whatsapp') return;
      try {
        endResponse(await handleWhatsAppWebhook(request, deps));
      } catch (error) {
        // Meta retries on anything but 200, so a failure here loses nothing.
        deps.logger.error({ err: error }, 'webhook failed');
        endResponse(
          new Response('{"error":"internal error"}', {
            status: 500,
            headers: { 'content-type': 'application/json' },
          }),
        );
      }
    },
  };
}
