import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { isUuid } from '../db/connection.js';
import {
  type ApplyResult,
  applyStatus,
  applyStatuses,
  type StatusReport,
} from '../messages/delivery.js';
import { fromMetaStatus } from '../messages/status.js';
import { UNSTORABLE } from '../input-text.js';
import { CLOSE_CONNECTION, readBodyWithin } from '../limits/request.js';
import { verifySignature } from './signature.js';
import { findConnectionByPhoneNumberId } from '../whatsapp/repo.js';

/**
 * Meta's webhook for the WhatsApp Business Account (API.md: GET, POST /webhooks/whatsapp).
 * GET answers the verification handshake; POST reads at most `limits.maxWebhookBytes` (more: 413,
 * before anything is buffered or checked), checks X-Hub-Signature-256 over the raw body and
 * applies the `statuses[]` of all its changes to our messages as one batch (Meta batches statuses
 * per POST; see `applyStatuses`). Anything well-signed is answered 200 (Meta retries
 * otherwise), including statuses for messages we do not know and statuses we cannot read.
 *
 * Each change and each status is validated on its own: a malformed one (a non-numeric timestamp,
 * no id, an unknown status, an `errors` entry without an integer code, text PostgreSQL cannot
 * store...) is skipped with a warning and counted as ignored, and never keeps the others from
 * being applied. Fields we do not use (recipient_id, pricing, conversation...) are not checked.
 */
const storableText = z
  .string()
  .refine((value) => !UNSTORABLE.test(value), 'must not hold NUL or unpaired surrogates');

/** Unix seconds, as Meta sends them (a string of digits); bounded to dates PostgreSQL can hold. */
const unixSeconds = z
  .union([z.string().regex(/^\d{1,12}$/, 'must be Unix seconds'), z.number().int()])
  .transform(Number)
  .pipe(z.number().int().min(0).max(999_999_999_999))
  .transform((seconds) => new Date(seconds * 1000));

const metaErrorSchema = z.object({
  // Read back as MessageError.code, a GraphQL Int: 32 bits.
  code: z.int32(),
  title: storableText.optional(),
  message: storableText.optional(),
  error_data: z.object({ details: storableText.optional() }).optional(),
});

const statusSchema = z.object({
  id: storableText.min(1),
  status: z.string().transform((name, ctx) => {
    const status = fromMetaStatus(name);
    if (!status) ctx.addIssue({ code: 'custom', message: `unknown status "${name.slice(0, 40)}"` });
    return status ?? z.NEVER;
  }),
  timestamp: unixSeconds.optional(),
  // Our own message id, echoed; used only when it is one, so anything else counts as absent.
  biz_opaque_callback_data: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) => (value && isUuid(value) ? value : undefined)),
  errors: z.array(metaErrorSchema).optional(),
});

const changeSchema = z.object({
  value: z.object({
    metadata: z.object({ phone_number_id: storableText.min(1) }).optional(),
    statuses: z.array(z.unknown()).optional(),
  }),
});

const entrySchema = z.object({ changes: z.array(z.unknown()) });

const payloadSchema = z.object({ object: z.string(), entry: z.array(z.unknown()) });

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
  // Refusals below leave the body unread: the connection closes with them.
  if (request.method !== 'POST') return json(405, { error: 'Use GET or POST.' }, CLOSE_CONNECTION);
  if (!config.whatsapp.appSecret) {
    return json(
      503,
      { error: 'Webhooks are not configured (WHATSAPP_APP_SECRET is unset).' },
      CLOSE_CONNECTION,
    );
  }
  const maxBytes = config.limits.maxWebhookBytes;
  const raw = await readBodyWithin(request, maxBytes);
  if (!raw) {
    return json(
      413,
      { error: `The body exceeds the limit of ${maxBytes} bytes.` },
      CLOSE_CONNECTION,
    );
  }
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
  const { failed, ...result } = await applyWebhook(db, payload, logger);
  // A status the database refused may be refused only for now: Meta retries the whole payload,
  // and the statuses applied this time are duplicates then, which change nothing.
  if (failed > 0) return json(500, { error: 'Some statuses could not be applied.', ...result });
  return json(200, result);
}

/** A valid status of the payload, as a report, and where it was (for the log). */
interface Located {
  report: StatusReport;
  at: string;
  phoneNumberId: string;
}

/**
 * Applies the payload's valid statuses as one batch (`applyStatuses`: one transaction, a fixed
 * number of statements). If the batch fails, each status is tried alone, so that one the
 * database refuses neither stops the others nor goes unreported (`failed`).
 */
async function applyWebhook(
  db: Kysely<Database>,
  payload: z.infer<typeof payloadSchema>,
  logger: Logger,
): Promise<WebhookResult & { failed: number }> {
  const result = { applied: 0, ignored: 0, failed: 0 };
  const located = await readStatuses(db, payload, logger, result);
  const count = (outcome: ApplyResult) => {
    if (outcome.applied) result.applied += 1;
    else result.ignored += 1;
  };
  if (located.length === 0) return result;
  try {
    const outcomes = await applyStatuses(
      db,
      located.map((l) => l.report),
    );
    outcomes.forEach(count);
    return result;
  } catch (failure) {
    logger.warn({ err: failure }, 'webhook: the batch failed; applying its statuses one by one');
  }
  for (const { report, at, phoneNumberId } of located) {
    try {
      count(await applyStatus(db, report));
    } catch (failure) {
      result.failed += 1;
      logger.error(
        { err: failure, at, phoneNumberId, wamid: report.wamid },
        'webhook: status not applied',
      );
    }
  }
  return result;
}

/**
 * The payload's valid statuses, in order, each for the tenant whose number its change names.
 * Malformed entries, changes and statuses, and statuses for numbers of no tenant, are logged and
 * counted in `result.ignored`.
 */
async function readStatuses(
  db: Kysely<Database>,
  payload: z.infer<typeof payloadSchema>,
  logger: Logger,
  result: WebhookResult,
): Promise<Located[]> {
  const located: Located[] = [];
  const tenants = new Map<string, Promise<string | undefined>>();
  const tenantOf = (phoneNumberId: string) => {
    let tenant = tenants.get(phoneNumberId);
    if (!tenant) {
      tenant = findConnectionByPhoneNumberId(db, phoneNumberId).then((c) => c?.tenant_id);
      tenants.set(phoneNumberId, tenant);
    }
    return tenant;
  };
  for (const [e, rawEntry] of payload.entry.entries()) {
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success) {
      logger.warn(
        { at: `entry[${e}]`, issues: issuesOf(entry.error) },
        'webhook: skipped a malformed entry',
      );
      continue;
    }
    for (const [c, rawChange] of entry.data.changes.entries()) {
      const at = `entry[${e}].changes[${c}]`;
      const change = changeSchema.safeParse(rawChange);
      if (!change.success) {
        const statuses = (rawChange as { value?: { statuses?: unknown } } | null)?.value?.statuses;
        result.ignored += Array.isArray(statuses) ? statuses.length : 0;
        logger.warn({ at, issues: issuesOf(change.error) }, 'webhook: skipped a malformed change');
        continue;
      }
      const phoneNumberId = change.data.value.metadata?.phone_number_id;
      const statuses = change.data.value.statuses ?? [];
      if (!phoneNumberId || statuses.length === 0) continue;
      const tenantId = await tenantOf(phoneNumberId);
      if (!tenantId) {
        result.ignored += statuses.length;
        logger.warn({ phoneNumberId }, 'webhook for an unknown phone number id');
        continue;
      }
      for (const [i, rawStatus] of statuses.entries()) {
        const parsed = statusSchema.safeParse(rawStatus);
        if (!parsed.success) {
          result.ignored += 1;
          const id = (rawStatus as { id?: unknown } | null)?.id;
          logger.warn(
            {
              at: `${at}.value.statuses[${i}]`,
              phoneNumberId,
              wamid: typeof id === 'string' ? id.slice(0, 200) : undefined,
              issues: issuesOf(parsed.error),
            },
            'webhook: skipped a malformed status',
          );
          continue;
        }
        const status = parsed.data;
        const error = status.errors?.[0];
        located.push({
          at: `${at}.value.statuses[${i}]`,
          phoneNumberId,
          report: {
            tenantId,
            wamid: status.id,
            ...(status.biz_opaque_callback_data && { messageId: status.biz_opaque_callback_data }),
            status: status.status,
            occurredAt: status.timestamp ?? new Date(),
            error: error && {
              code: error.code,
              title: error.title ?? 'Error',
              message: error.message ?? error.title ?? 'Error',
              ...(error.error_data?.details && { details: error.error_data.details }),
            },
            source: 'webhook',
          },
        });
      }
    }
  }
  return located;
}

/** Where and why a part of the payload is invalid, for the log: paths, not values (PII). */
function issuesOf(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
