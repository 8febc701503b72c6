import { randomBytes } from 'node:crypto';
import { sign } from '../../src/webhooks/signature.js';
import { FakeCloudApi, type FakeRequest, type FakeResponse } from './fake-cloud-api.js';

/**
 * The messaging half of the loopback Cloud API: `POST /:phoneNumberId/messages` as Meta answers
 * it (`{ messaging_product, contacts, messages: [{ id: wamid }] }`), and status webhooks signed
 * with the app secret (X-Hub-Signature-256) posted back to the gateway — retried until answered
 * 200, as Meta retries — for each accepted message: sent, delivered, read.
 */
export interface SentMessage {
  phoneNumberId: string;
  wamid: string;
  body: Record<string, any>;
}

export interface StatusOptions {
  /** Which statuses to report after accepting, in order (default sent, delivered, read). */
  statuses?: ('sent' | 'delivered' | 'read')[];
  /** Delay before each webhook. */
  delayMs?: number;
}

export class FakeWhatsApp extends FakeCloudApi {
  readonly sent: SentMessage[] = [];
  webhookUrl = '';
  autoStatuses: StatusOptions | null = { statuses: ['sent', 'delivered', 'read'], delayMs: 20 };
  /** Answers the next sends with these responses first (Meta errors, slow answers...). */
  readonly sendFailures: FakeResponse[] = [];
  /** Every send that passed the token check, answered or not, with when it arrived. */
  readonly sendLog: { at: number; body: Record<string, any>; status: number }[] = [];
  /** How long an accepted send waits before it is answered (its webhooks go out meanwhile). */
  sendDelayMs = 0;
  /**
   * The next this many sends are accepted (recorded, webhooks sent) but answered 502 without
   * Meta's body, as when the answer is lost on the way: the sender cannot know it went out.
   */
  loseAnswers = 0;
  private pending = new Set<Promise<unknown>>();

  constructor(readonly appSecret: string) {
    super();
    this.route('POST', /^(?:\/v\d+\.\d+)?\/(\d+)\/messages$/, (r) => this.acceptSend(r));
  }

  private async acceptSend(request: FakeRequest): Promise<FakeResponse> {
    const failure = this.sendFailures.shift();
    const lost = !failure && this.loseAnswers > 0;
    if (lost) this.loseAnswers -= 1;
    this.sendLog.push({
      at: Date.now(),
      body: request.body as Record<string, any>,
      status: failure?.status ?? (lost ? 502 : 200),
    });
    if (failure) return failure;
    const body = request.body as Record<string, any>;
    const wamid = `wamid.HBgL${randomBytes(12).toString('hex').toUpperCase()}`;
    const phoneNumberId = request.params[0]!;
    this.sent.push({ phoneNumberId, wamid, body });
    if (this.autoStatuses && this.webhookUrl) {
      const { statuses = ['sent', 'delivered', 'read'], delayMs = 20 } = this.autoStatuses;
      this.track(
        (async () => {
          for (const status of statuses) {
            await new Promise((r) => setTimeout(r, delayMs));
            await this.deliver(this.statusPayload(phoneNumberId, wamid, status, body));
          }
        })(),
      );
    }
    if (this.sendDelayMs > 0) await new Promise((r) => setTimeout(r, this.sendDelayMs));
    if (lost) return { status: 502, body: '<html><body>502 Bad Gateway</body></html>' };
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: wamid }],
      },
    };
  }

  /** Meta's webhook payload for one status of one message. */
  statusPayload(
    phoneNumberId: string,
    wamid: string,
    status: string,
    sent?: Record<string, any>,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return metaStatusesPayload([
      phoneNumberId,
      [
        {
          id: wamid,
          status,
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: sent?.to ?? '447700900123',
          ...(sent?.biz_opaque_callback_data && {
            biz_opaque_callback_data: sent.biz_opaque_callback_data,
          }),
          ...extra,
        },
      ],
    ]);
  }

  /** Posts a signed webhook, retrying (as Meta does) until the gateway answers 200. */
  async deliver(
    payload: unknown,
    options: { attempts?: number; secret?: string } = {},
  ): Promise<number> {
    const raw = JSON.stringify(payload);
    let status = 0;
    for (let attempt = 0; attempt < (options.attempts ?? 50); attempt += 1) {
      try {
        const response = await fetch(this.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': sign(raw, options.secret ?? this.appSecret),
          },
          body: raw,
        });
        status = response.status;
        await response.arrayBuffer();
        if (status === 200 || options.attempts === 1) return status;
      } catch {
        status = 0;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return status;
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Waits for every webhook still being delivered. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/** Meta's status webhook payload: one entry per phone number id, each with its statuses. */
export function metaStatusesPayload(
  ...changes: [phoneNumberId: string, statuses: Record<string, unknown>[]][]
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: changes.map(([phoneNumberId, statuses]) => ({
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
            statuses,
          },
        },
      ],
    })),
  };
}
