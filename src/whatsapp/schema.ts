import { z } from 'zod';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { WhatsAppConnection } from '../db/types.js';
import { conflict, isUniqueViolation } from '../errors.js';
import { parseInput } from '../validation.js';
import { saveConnection } from './connection.js';
import * as repo from './repo.js';

export const WhatsAppModeEnum = builder.enumType('WhatsAppMode', {
  description: 'How the gateway talks to WhatsApp (WHATSAPP_MODE).',
  values: {
    SANDBOX: { description: 'Nothing leaves the server; built-in templates, simulated sends.' },
    CLOUD: { description: "Meta's WhatsApp Cloud API, with the tenant's connection." },
  },
});

interface ConnectionView {
  connection: WhatsAppConnection | undefined;
  mode: 'SANDBOX' | 'CLOUD';
}

/** The tenant's connection as the admin sees it: ids and a hint, never the access token. */
const WhatsAppConnectionRef = builder.objectRef<ConnectionView>('WhatsAppConnection').implement({
  description:
    "The tenant's WhatsApp Cloud API account. The access token is stored encrypted and is " +
    'never returned; `accessTokenHint` tells tokens apart.',
  fields: (t) => ({
    connected: t.boolean({
      description: 'Whether credentials are set.',
      resolve: (v) => v.connection !== undefined,
    }),
    mode: t.field({ type: WhatsAppModeEnum, resolve: (v) => v.mode }),
    phoneNumberId: t.string({
      nullable: true,
      resolve: (v) => v.connection?.phone_number_id ?? null,
    }),
    wabaId: t.string({
      nullable: true,
      description: 'The WhatsApp Business Account id.',
      resolve: (v) => v.connection?.waba_id ?? null,
    }),
    accessTokenHint: t.string({
      nullable: true,
      description: 'The first and last four characters, e.g. "EAAG…1234".',
      resolve: (v) => v.connection?.access_token_hint ?? null,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (v) => v.connection?.updated_at ?? null,
    }),
  }),
});

const view = (context: Context, connection: WhatsAppConnection | undefined): ConnectionView => ({
  connection,
  mode: context.config.whatsapp.mode === 'cloud' ? 'CLOUD' : 'SANDBOX',
});

builder.queryField('whatsAppConnection', (t) =>
  t.field({
    type: WhatsAppConnectionRef,
    nullable: true,
    description: "The tenant's WhatsApp connection (`connected: false` when none). Admin key only.",
    authScopes: { admin: true },
    resolve: async (_root, _args, context) =>
      view(context, await repo.findConnection(context.db, context.tenant.id)),
  }),
);

const metaId = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,32}$/, `must be the numeric ${what} from Meta's WhatsApp Manager`);

const input = z.object({
  phoneNumberId: metaId('phone number ID'),
  wabaId: metaId('WhatsApp Business Account ID'),
  accessToken: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._~+/=-]{20,2048}$/, 'must be a Meta access token (20+ characters)'),
});

builder.relayMutationField(
  'setWhatsAppConnection',
  {
    inputFields: (t) => ({
      phoneNumberId: t.string({ required: true }),
      wabaId: t.string({ required: true, description: 'The WhatsApp Business Account id.' }),
      accessToken: t.string({
        required: true,
        description: 'A system-user access token; stored encrypted, never shown again.',
      }),
    }),
  },
  {
    description:
      'Sets (or replaces) the WhatsApp Cloud API credentials used for templates and sending. ' +
      'A phone number id can belong to one tenant only (CONFLICT). Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, args, context) => {
      const values = parseInput(input, args.input);
      try {
        return view(
          context,
          await saveConnection(context.db, context.config, context.tenant.id, values),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'whatsapp_connections_phone_number_id')) {
          throw conflict('phoneNumberId', 'This phone number is connected to another workspace.');
        }
        throw error;
      }
    },
  },
  {
    outputFields: (t) => ({
      whatsAppConnection: t.field({ type: WhatsAppConnectionRef, resolve: (v) => v }),
    }),
  },
);
