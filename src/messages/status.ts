/**
 * A message's delivery status moves only forward: QUEUED → SENT → DELIVERED → READ, and FAILED
 * ends it from any earlier state. Webhooks arrive duplicated and out of order; applying them
 * through `advance` leaves the right final state whatever the order.
 */
export const MESSAGE_STATUSES = ['QUEUED', 'SENT', 'DELIVERED', 'READ', 'FAILED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const RANK: Record<MessageStatus, number> = {
  QUEUED: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  FAILED: 4,
};

/** The status after `incoming` is applied to `current`, or undefined when it changes nothing. */
export function advance(
  current: MessageStatus,
  incoming: MessageStatus,
): MessageStatus | undefined {
  if (current === 'FAILED' || current === 'READ') return undefined;
  if (incoming === 'FAILED') return 'FAILED';
  return RANK[incoming] > RANK[current] ? incoming : undefined;
}

/** Meta's webhook status names. */
export function fromMetaStatus(status: string): MessageStatus | undefined {
  switch (status) {
    case 'sent':
      return 'SENT';
    case 'delivered':
      return 'DELIVERED';
    case 'read':
      return 'READ';
    case 'failed':
      return 'FAILED';
    default:
      return undefined;
  }
}
