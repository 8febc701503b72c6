import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import { CloudApiError } from '../whatsapp/cloud-api.js';
import { callCloudApi, openCloudApi } from '../whatsapp/connection.js';
import { applyTemplateSync, type MetaTemplate, type SyncCounts } from './repo.js';
import { SANDBOX_TEMPLATES } from './sandbox.js';

/** The fields asked of Meta for each template, and the page size asked for (Meta may send fewer). */
export const TEMPLATE_FIELDS = 'id,name,language,status,category,components,rejected_reason';
export const TEMPLATE_PAGE_LIMIT = 100;

/**
 * Brings the tenant's templates in line with its WhatsApp Business Account. Sandbox mode loads
 * the built-in set and needs no connection; cloud mode reads every page of
 * `GET /{waba-id}/message_templates` with the tenant's token. Throws BAD_USER_INPUT (no connection)
 * or WHATSAPP_ERROR (Meta refused, unreachable, or answered nonsense); on error nothing changes.
 */
export async function syncTemplates(
  db: Kysely<Database>,
  config: Config,
  tenantId: string,
): Promise<SyncCounts & { source: 'SANDBOX' | 'CLOUD' }> {
  if (config.whatsapp.mode === 'sandbox') {
    return { ...(await applyTemplateSync(db, tenantId, SANDBOX_TEMPLATES)), source: 'SANDBOX' };
  }
  const { api, connection } = await openCloudApi(db, config, tenantId);
  const listed = await callCloudApi(async () => {
    const all: MetaTemplate[] = [];
    const pages = api.list<MetaTemplate>(
      `${encodeURIComponent(connection.waba_id)}/message_templates`,
      { fields: TEMPLATE_FIELDS, limit: TEMPLATE_PAGE_LIMIT },
    );
    for await (const page of pages) {
      for (const template of page) {
        if (!isMetaTemplate(template)) {
          throw new CloudApiError('Meta listed a template without an id, name or language.');
        }
        all.push(template);
      }
    }
    return all;
  });
  return { ...(await applyTemplateSync(db, tenantId, listed)), source: 'CLOUD' };
}

function isMetaTemplate(value: unknown): value is MetaTemplate {
  const t = value as Partial<MetaTemplate> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    (typeof t.id === 'string' || typeof t.id === 'number') &&
    typeof t.name === 'string' &&
    typeof t.language === 'string' &&
    (t.components === undefined || Array.isArray(t.components))
  );
}
