import type { SQSRecord } from 'aws-lambda';
import type { HistoryEntry } from '../../../lambdas/domain/ai/responder';
import type { ConversationReader, ConversationSnapshot, ReplyQueue } from '../../../lambdas/domain/ai/respond-to-inbound';
import type { InboundQueueMessage } from '../../../lambdas/domain/inbound-queue-message';
import type { OutboundMessage } from '../../../lambdas/domain/outbound/contract';

export const CONVERSATION_ID = 'cv_ABCDEFGHJKMNPQRSTVWXYZ0123';

/** An inbound queue message as the webhook enqueues it. */
export function inboundMessage(overrides: Partial<InboundQueueMessage> = {}): InboundQueueMessage {
  return {
    version: 1,
    kind: 'inbound.message',
    businessId: 'acme',
    connectionId: 'conn1',
    conversationId: CONVERSATION_ID,
    messageId: '01JD8X0000000000000000000B',
    provider: 'twilio',
    externalId: 'SM' + 'a'.repeat(32),
    receivedAt: '2026-11-26T12:00:00.000Z',
    customer: { id: '+5215512345678', isPhoneNumber: true, waId: '5215512345678', profileName: 'Ana López' },
    content: { type: 'text', text: 'Hola' },
    ...overrides,
  };
}

export function sqsRecord(body: unknown, messageId = 'sqs-1', groupId = CONVERSATION_ID): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: groupId,
      MessageDeduplicationId: messageId,
      SequenceNumber: '1',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound.fifo',
    awsRegion: 'us-east-1',
  };
}

export class FakeConversations implements ConversationReader {
  readonly cleared: Array<{ conversationId: string; optionsMessageId: string }> = [];
  readonly historyCalls: Array<{ beforeMessageId: string; limit: number }> = [];
  failWith?: Error;
  constructor(
    public conversation: ConversationSnapshot | undefined = { conversationId: CONVERSATION_ID },
    public history: HistoryEntry[] = [],
  ) {}
  async get(): Promise<ConversationSnapshot | undefined> {
    if (this.failWith) throw this.failWith;
    return this.conversation;
  }
  async historyBefore(_conversationId: string, beforeMessageId: string, limit: number): Promise<HistoryEntry[]> {
    if (this.failWith) throw this.failWith;
    this.historyCalls.push({ beforeMessageId, limit });
    return this.history;
  }
  async clearPendingOptions(conversationId: string, optionsMessageId: string): Promise<boolean> {
    this.cleared.push({ conversationId, optionsMessageId });
    if (this.conversation?.pendingOptions?.messageId !== optionsMessageId) return false;
    delete this.conversation.pendingOptions;
    return true;
  }
}

export class RecordingReplyQueue implements ReplyQueue {
  readonly sent: Array<{ message: OutboundMessage; groupId: string }> = [];
  /** Fails the n-th call (0-based) once. */
  failAt?: { index: number; error: Error };
  private calls = 0;
  async enqueue(message: OutboundMessage, groupId: string): Promise<void> {
    const call = this.calls++;
    if (this.failAt && this.failAt.index === call) {
      const { error } = this.failAt;
      this.failAt = undefined;
      throw error;
    }
    this.sent.push({ message, groupId });
  }
}
