import type { Message, MessageError } from '../db/types.js';
import { type CloudApi, CloudApiError } from '../whatsapp/cloud-api.js';
import { toMetaRequest, type MessageContent } from './content.js';

/**
 * How a message leaves: `cloud` posts it to the WhatsApp Cloud API; `sandbox` accepts it locally
 * (a demo without Meta credentials) and the sandbox clock (sandbox.ts) moves it through
 * DELIVERED and READ.
 */
export type SendOutcome =
  | { ok: true; wamid: string }
  | { ok: false; retryable: boolean; inDoubt: boolean; error: MessageError };

export interface Transport {
  send(message: Message): Promise<SendOutcome>;
  /** Called with each claimed batch's messages of this transport before they are sent. */
  prepare?(messages: readonly Message[]): Promise<void>;
}

/** Meta error codes worth retrying later: throughput and temporary unavailability. */
const RETRYABLE = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);

export function messageContent(message: Message): MessageContent {
  return { type: message.type, content: message.content } as MessageContent;
}

/**
 * Posts to `{graphUrl}/{phone-number-id}/messages` with the tenant's access token (through the
 * WhatsApp module's CloudApi client). No answer at all, or a 5xx without Meta's error body, leaves
 * the send in doubt: Meta may have accepted it.
 */
export function createCloudTransport(options: {
  open: (tenantId: string) => Promise<{ api: CloudApi; connection: { phone_number_id: string } }>;
  /** Brings the batch's tenants' connections up to date (see CloudApiCache.refresh). */
  refresh?: (tenantIds: string[]) => Promise<void>;
}): Transport {
  return {
    async prepare(messages) {
      await options.refresh?.(messages.map((m) => m.tenant_id));
    },
    async send(message) {
      let opened;
      try {
        opened = await options.open(message.tenant_id);
      } catch (error) {
        return {
          ok: false,
          retryable: false,
          inDoubt: false,
          error: { code: 0, title: 'No WhatsApp connection', message: (error as Error).message },
        };
      }
      try {
        const body = toMetaRequest(message.to_phone, messageContent(message), message.id);
        const path = `${encodeURIComponent(opened.connection.phone_number_id)}/messages`;
        const answer = await opened.api.request<{ messages?: { id?: string }[] }>('POST', path, {
          body,
        });
        const wamid = answer.messages?.[0]?.id;
        if (wamid) return { ok: true, wamid };
        return {
          ok: false,
          retryable: true,
          inDoubt: true,
          error: {
            code: -1,
            title: 'Unexpected answer',
            message: 'The Cloud API answered without a message id.',
          },
        };
      } catch (error) {
        if (!(error instanceof CloudApiError)) throw error;
        const { httpStatus, code, type, details } = error.details;
        const inDoubt = httpStatus === undefined || (httpStatus >= 500 && code === undefined);
        return {
          ok: false,
          retryable: inDoubt || (code !== undefined && RETRYABLE.has(code)),
          inDoubt,
          error: {
            code: code ?? httpStatus ?? -1,
            // Meta's message reads "(#131047) Re-engagement message": its title, as a status
            // webhook's `errors[].title` would give it; `type` is only the exception class.
            title: /^\(#\d+\)\s*(.+)$/.exec(error.message)?.[1] ?? type ?? 'Cloud API error',
            message: error.message,
            ...(details && { details }),
          },
        };
      }
    },
  };
}

/**
 * Sandbox recipients whose number ends in 0666 fail as Meta fails an undeliverable message
 * (131026); every other recipient is accepted.
 */
export const SANDBOX_FAILING_SUFFIX = '0666';

export function createSandboxTransport(): Transport {
  return {
    async send(message) {
      if (message.to_phone.endsWith(SANDBOX_FAILING_SUFFIX)) {
        return {
          ok: false,
          retryable: false,
          inDoubt: false,
          error: {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            details: 'Sandbox: recipients ending in 0666 cannot receive messages.',
          },
        };
      }
      return { ok: true, wamid: `wamid.SANDBOX${Buffer.from(message.id).toString('base64url')}` };
    },
  };
}
