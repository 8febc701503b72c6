import { randomInt } from 'node:crypto';
import type { Operation } from '../helpers/matrix.js';

export const operations: Operation[] = [
  {
    name: 'whatsAppConnection',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(tenant.subdomain, s, '{ whatsAppConnection { connected phoneNumberId } }'),
  },
  {
    name: 'setWhatsAppConnection',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        `mutation($p: String!) {
          setWhatsAppConnection(input: { phoneNumberId: $p, wabaId: "102290129340398", accessToken: "EAAGmatrixtoken0123456789" }) {
            whatsAppConnection { connected accessTokenHint }
          }
        }`,
        { p: String(randomInt(10 ** 9, 10 ** 12)) },
      ),
  },
];
