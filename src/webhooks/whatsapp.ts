import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { isUuid } from '../db/connection.js';
import { applyStatus } from '../messages/delivery.js';
import { fromMetaStatus } from '../messages/status.js';
import { verifySignature } from './signature.js';
import { findConnectionByPhoneNumberId } from '../whatsapp/repo.js';

/**
 * Meta's webhook for the WhatsApp Business Account (API.md: GET, POST /webhooks/whatsapp).
 * GET answers the verification handshake; POST checks X-Hub-Signature-256 over the raw body and
 * applies `statuses[]` to our messages. Anything well-signed is answered 200 (Meta retries
 * otherwise), including statuses for messages we do not know.
 */
const statusSchema = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

const payloadSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string().optional(),
          value: z.object({
            metadata: z.object({ phone_number_id: z.string() }).optional(),
            statuses: z.array(statusSchema).optional(),
          }),
        }),
      ),
    }),
  ),
});

export interface WebhookResult {
  applied: number;
  ignored: number;
}

export async function handleWhatsAppWebhook(
  request: Request,
  deps: { db: Kysely<Database>; config: Config; logger: Logger },
): Promise<Response> {
  const { config, db, logger } = deps;
  const url = new URL(request.url);
  if (request.method === 'GET') {
    const ok =
      url.searchParams.get('hub.mode') === 'subscribe' &&
      config.whatsapp.verifyToken !== undefined &&
      url.searchParams.get('hub.verify_token') === config.whatsapp.verifyToken;
    return ok
      ? new Response(url.searchParams.get('hub.challenge') ?? '', {
          status: 200,
          headers: { 'content-type': 'text/plain' },
        })
      : json(403, { error: 'Verification failed: hub.verify_token does not match.' });
  }
  if (request.method !== 'POST') return json(405, { error: 'Use GET or POST.' });
  if (!config.whatsapp.appSecret) {
    return json(503, { error: 'Webhooks are not configured (WHATSAPP_APP_SECRET is unset).' });
  }
  const raw = new Uint8Array(await request.arrayBuffer());
  if (
    !verifySignature(raw, request.headers.get('x-hub-signature-256'), config.whatsapp.appSecret)
  ) {
    return json(401, { error: 'Bad or missing X-Hub-Signature-256.' });
  }
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
  } catch {
    return json(400, { error: 'Not a WhatsApp webhook payload.' });
  }
  const result = await applyWebhook(db, payload, logger);
  return json(200, result);
}

async function applyWebhook(
  db: Kysely<Database>,
  payload: z.infer<typeof payloadSchema>,
  logger: Logger,
): Promise<WebhookResult> {
  const result: WebhookResult = { applied: 0, ignored: 0 };
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      const phoneNumberId = change.value.metadata?.phone_number_id;
      const statuses = change.value.statuses ?? [];
      if (!phoneNumberId || statuses.length === 0) continue;
      const connection = await findConnectionByPhoneNumberId(db, phoneNumberId);
      if (!connection) {
        result.ignored += statuses.length;
        logger.warn({ phoneNumberId }, 'webhook for an unknown phone number id');
        continue;
      }
      for (const status of statuses) {
        const mapped = fromMetaStatus(status.status);
        const callback = status.biz_opaque_callback_data;
        if (!mapped) {
          result.ignored += 1;
          continue;
        }
        const error = status.errors?.[0];
        const outcome = await applyStatus(db, {
          tenantId: connection.tenant_id,
          wamid: status.id,
          ...(callback && isUuid(callback) && { messageId: callback }),
          status: mapped,
          occurredAt: status.timestamp ? new Date(Number(status.timestamp) * 1000) : new Date(),
          error: error && {
            code: error.code,
            title: error.title ?? 'Error',
            message: error.message ?? error.title ?? 'Error',
            ...(error.error_data?.details && { details: error.error_data.details }),
          },
          source: 'webhook',
        });
        if (outcome.applied) result.applied += 1;
        else result.ignored += 1;
      }
    }
  }
  return result;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
