import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';

/**
 * graphql-ws subscribers, one socket each, each watching the delivery events of one contact (the
 * contacts the workload sends to), as a front-end showing a conversation would.
 */
export interface Subscribers {
  events: number;
  errors: number;
  /** Subscribers that received at least one event. */
  receiving(): number;
  /** Close codes seen, e.g. { "1001": 300 } after the server's graceful stop. */
  closeCodes: Record<string, number>;
  dispose(): Promise<void>;
}

const QUERY = `subscription Watch($contactId: ID!) {
  messageStatusChanged(contactId: $contactId) { status previousStatus occurredAt message { id } }
}`;

export function subscribe(wsUrl: string, tokens: string[], contactIds: string[]): Subscribers {
  const clients: Client[] = [];
  const received = new Set<number>();
  const result: Subscribers = {
    events: 0,
    errors: 0,
    receiving: () => received.size,
    closeCodes: {},
    dispose: async () => {
      await Promise.all(clients.map((client) => client.dispose()));
    },
  };
  contactIds.forEach((contactId, i) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${tokens[i % tokens.length]}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
      on: {
        closed: (event) => {
          const code = String((event as { code?: number }).code ?? 'none');
          result.closeCodes[code] = (result.closeCodes[code] ?? 0) + 1;
        },
      },
    });
    clients.push(client);
    client.subscribe(
      { query: QUERY, variables: { contactId } },
      {
        next: (value) => {
          if (value.errors) result.errors += value.errors.length;
          else {
            result.events += 1;
            received.add(i);
          }
        },
        error: (error) => {
          // Closed by the server at its graceful stop (1001, Going Away) is the end, not an error.
          if ((error as { code?: number }).code !== 1001) result.errors += 1;
        },
        complete: () => {},
      },
    );
  });
  return result;
}
