import { randomBytes } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMessageStore } from '../../lambdas/adapters/dynamodb-message-store';
import { DynamoDbOutboundStore, outcomePendingOf } from '../../lambdas/adapters/dynamodb-outbound-store';
import { DynamoDbTemplateRegistry } from '../../lambdas/adapters/dynamodb-template-registry';
import { SqsOutboundQueue, outboundDeduplicationId } from '../../lambdas/adapters/sqs-outbound-queue';
import { SqsVisibility } from '../../lambdas/adapters/sqs-visibility';
import { DELIVERY_STATUS_RANK } from '../../lambdas/domain/delivery-status';
import { conversationIdFor, newMessageId } from '../../lambdas/domain/ids';
import type { OutboundMessageItem } from '../../lambdas/domain/outbound/ports';
import { TemplateNotFoundError, type TemplateDefinition } from '../../lambdas/domain/templates';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

describe('outbound adapters against moto', () => {
  let fx: WebhookFixture;
  let store: DynamoDbOutboundStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    fx = await createWebhookFixture();
    env = fx.resources.functionEnv.send;
    store = new DynamoDbOutboundStore(fx.documents, {
      messages: env.MESSAGES_TABLE,
      dedupe: env.DEDUPE_TABLE,
      conversations: env.CONVERSATIONS_TABLE,
      connections: env.CONNECTIONS_TABLE,
    });
  });
  afterAll(async () => fx?.close());

  const now = new Date('2026-11-26T12:00:00.000Z');
  function item(conversationId: string, overrides: Partial<OutboundMessageItem> = {}): OutboundMessageItem {
    return {
      conversationId,
      messageId: newMessageId(now),
      direction: 'outbound',
      businessId: fx.businessId,
      connectionId: fx.connectionId,
      provider: 'twilio',
      customerId: '+5215512345678',
      idempotencyKey: `k-${randomBytes(4).toString('hex')}`,
      content: { type: 'text', text: 'Hola' },
      type: 'text',
      deliveryStatus: 'queued',
      deliveryStatusRank: DELIVERY_STATUS_RANK.queued,
      sendState: 'pending',
      attempts: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...overrides,
    };
  }
  const freshConversation = () => conversationIdFor(fx.connectionId, `+52155${randomBytes(3).readUIntBE(0, 3).toString().padStart(8, '0')}`);

  describe('DynamoDbOutboundStore', () => {
    it('records all parts with one dedupe item, creates the conversation, and reports a replay as duplicate', async () => {
      // Prepare
      const conversationId = freshConversation();
      const parts = [item(conversationId, { partIndex: 1, partCount: 2 }), item(conversationId, { partIndex: 2, partCount: 2 })];
      const input = {
        dedupeKey: `outbound#${fx.businessId}#${parts[0].idempotencyKey}`,
        dedupeExpiresAt: new Date(now.getTime() + 86_400_000),
        messages: parts,
        conversation: {
          conversationId,
          businessId: fx.businessId,
          connectionId: fx.connectionId,
          provider: 'twilio' as const,
          customerId: '+5215512345678',
          customerIsPhoneNumber: true,
        },
      };

      // Act
      const first = await store.record(input);
      const replay = await store.record({ ...input, messages: [item(conversationId)] });

      // Assess
      expect(first).toEqual({ outcome: 'recorded' });
      expect(replay).toEqual({ outcome: 'duplicate', conversationId, messageIds: parts.map((p) => p.messageId) });
      expect((await store.getMessages(conversationId, replay.outcome === 'duplicate' ? replay.messageIds : [])).map((m) => m.partIndex)).toEqual([1, 2]);
      expect(await fx.messagesOf(conversationId)).toHaveLength(2);
      expect(await store.getConversation(conversationId)).toEqual({
        conversationId,
        businessId: fx.businessId,
        connectionId: fx.connectionId,
        customerId: '+5215512345678',
      });
    });

    it('never overwrites what a customer message wrote on the conversation', async () => {
      const conversationId = freshConversation();
      await fx.documents.send(
        new PutCommand({
          TableName: env.CONVERSATIONS_TABLE,
          Item: { conversationId, businessId: fx.businessId, connectionId: fx.connectionId, customerId: '+1', lastCustomerMessageAt: '2026-11-26T11:00:00.000Z', lastMessageAt: '2026-11-26T11:00:00.000Z' },
        }),
      );
      const message = item(conversationId);
      await store.record({
        dedupeKey: `outbound#${fx.businessId}#${message.idempotencyKey}`,
        dedupeExpiresAt: now,
        messages: [message],
        conversation: { conversationId, businessId: fx.businessId, connectionId: fx.connectionId, provider: 'twilio', customerId: '+2', customerIsPhoneNumber: true },
      });
      const conversation = await fx.conversation(conversationId);
      expect(conversation).toEqual(expect.objectContaining({ customerId: '+1', lastCustomerMessageAt: '2026-11-26T11:00:00.000Z', lastMessageAt: '2026-11-26T11:00:00.000Z' }));
    });

    it('moves sendState only along pending → sending → accepted, with the outcome marker set and cleared', async () => {
      // Prepare
      const conversationId = freshConversation();
      const message = item(conversationId);
      await store.record({ dedupeKey: `outbound#${fx.businessId}#${message.idempotencyKey}`, dedupeExpiresAt: now, messages: [message] });
      const key = { conversationId, messageId: message.messageId };
      const deadline = new Date(now.getTime() + 600_000);

      // Act
      const claimed = await store.claim(key, now, deadline, 'template');
      const claimedAgain = await store.claim(key, now, deadline);
      const whileSending = (await store.getMessage(key)) as unknown as Record<string, unknown>;
      await store.markAccepted(key, 'SM123', 'queued', now, 'twilio');
      const accepted = (await store.getMessage(key)) as unknown as Record<string, unknown>;

      // Assess
      expect([claimed, claimedAgain]).toEqual([true, false]);
      expect(whileSending).toEqual(expect.objectContaining({ sendState: 'sending', attempts: 1, outcomePending: outcomePendingOf(key), outcomeDeadline: deadline.toISOString(), fallback: 'template' }));
      expect(accepted).toEqual(expect.objectContaining({ sendState: 'accepted', externalId: 'SM123', deliveryStatus: 'queued' }));
      expect(accepted.outcomePending).toBeUndefined();
      expect(await store.markFailed(key, { reason: 'permanent', errorReason: 'x' }, now, ['pending', 'sending'])).toBe(false);
    });

    it('records a first part already claimed (no claim write), and maps an accepted BSP id back to our key', async () => {
      // Prepare
      const conversationId = freshConversation();
      const parts = [item(conversationId, { partIndex: 1, partCount: 2 }), item(conversationId, { partIndex: 2, partCount: 2 })];
      const deadline = new Date(now.getTime() + 600_000);
      const firstKey = { conversationId, messageId: parts[0].messageId };

      // Act
      await store.record({
        dedupeKey: `outbound#${fx.businessId}#${parts[0].idempotencyKey}`,
        dedupeExpiresAt: now,
        messages: parts,
        claimFirst: { at: now, outcomeDeadline: deadline },
      });
      const [first, second] = (await store.getMessages(conversationId, parts.map((p) => p.messageId))) as unknown as Array<Record<string, unknown>>;
      const unknownBefore = await store.findKeyByExternalId('twilio', 'SMclaimed1');
      await store.markAccepted(firstKey, 'SMclaimed1', 'queued', now, 'twilio');

      // Assess
      expect(first).toEqual(
        expect.objectContaining({ sendState: 'sending', attempts: 1, outcomePending: outcomePendingOf(firstKey), outcomeDeadline: deadline.toISOString(), lastAttemptAt: now.toISOString() }),
      );
      expect(second).toEqual(expect.objectContaining({ sendState: 'pending', attempts: 0 }));
      expect(second.outcomePending).toBeUndefined();
      expect(unknownBefore).toBeUndefined();
      expect(await store.findKeyByExternalId('twilio', 'SMclaimed1')).toEqual(firstKey);
      expect(await store.findKeyByExternalId('meta', 'SMclaimed1')).toBeUndefined();
    });

    it('releases a refused send for the next attempt, and fails one for good', async () => {
      const conversationId = freshConversation();
      const message = item(conversationId);
      await store.record({ dedupeKey: `outbound#${fx.businessId}#${message.idempotencyKey}`, dedupeExpiresAt: now, messages: [message] });
      const key = { conversationId, messageId: message.messageId };
      await store.claim(key, now, now);

      expect(await store.release(key, now, { errorCode: '20429', errorReason: 'rate limited' })).toBe(true);
      expect(await store.release(key, now)).toBe(false);
      expect(await store.getMessage(key)).toEqual(expect.objectContaining({ sendState: 'pending', lastErrorCode: '20429' }));

      expect(await store.markFailed(key, { reason: 'permanent', errorReason: 'Invalid number', errorCode: '21211' }, now, ['pending'])).toBe(true);
      expect(await store.getMessage(key)).toEqual(
        expect.objectContaining({ sendState: 'failed', deliveryStatus: 'failed', deliveryStatusRank: 90, errorCode: '21211', errorReason: 'Invalid number', failureReason: 'permanent' }),
      );
    });

    it('finds overdue unknown outcomes through the sparse index and expires them unless a status settled them', async () => {
      // Prepare: two sends with unknown outcomes; a status callback arrives for the second.
      const conversationId = freshConversation();
      const [a, b] = [item(conversationId), item(conversationId)];
      for (const m of [a, b]) {
        await store.record({ dedupeKey: `outbound#${fx.businessId}#${m.idempotencyKey}`, dedupeExpiresAt: now, messages: [m] });
        await store.claim({ conversationId, messageId: m.messageId }, now, new Date(now.getTime() + 600_000));
      }
      const statuses = new DynamoDbMessageStore(fx.documents, { conversations: env.CONVERSATIONS_TABLE, messages: env.MESSAGES_TABLE, dedupe: env.DEDUPE_TABLE });
      await statuses.applyStatus({
        conversationId,
        messageId: b.messageId,
        connectionId: fx.connectionId,
        provider: 'twilio',
        externalId: 'SMb',
        status: 'sent',
        providerStatus: 'sent',
        at: now,
      });
      const later = new Date(now.getTime() + 11 * 60_000);

      // Act
      const overdue = (await store.overdue(later, 1000)).filter((key) => key.conversationId === conversationId);
      const expired = await store.expire({ conversationId, messageId: a.messageId }, later);
      const expiredAgain = await store.expire({ conversationId, messageId: a.messageId }, later);

      // Assess
      expect(overdue).toEqual([{ conversationId, messageId: a.messageId }]);
      expect(await store.overdue(now, 1000)).not.toContainEqual({ conversationId, messageId: a.messageId });
      expect(expired).toEqual(expect.objectContaining({ messageId: a.messageId, sendState: 'failed', failureReason: 'outcome-unknown', idempotencyKey: a.idempotencyKey }));
      expect(expiredAgain).toBeUndefined();
      expect(await store.getMessage({ conversationId, messageId: b.messageId })).toEqual(expect.objectContaining({ deliveryStatus: 'sent', sendState: 'sending' }));
    });

    it("lists a business's connections through byBusiness and saves pending options on a conversation", async () => {
      expect((await store.listByBusiness(fx.businessId)).map((c) => c.connectionId)).toEqual([fx.connectionId]);
      expect(await store.listByBusiness('nobody')).toEqual([]);

      const conversationId = freshConversation();
      const message = item(conversationId);
      await store.record({
        dedupeKey: `outbound#${fx.businessId}#${message.idempotencyKey}`,
        dedupeExpiresAt: now,
        messages: [message],
        conversation: { conversationId, businessId: fx.businessId, connectionId: fx.connectionId, provider: 'twilio', customerId: '+1', customerIsPhoneNumber: false },
      });
      const pending = { messageId: message.messageId, options: [{ n: 1, id: 'yes', title: 'Sí' }] };
      await store.setPendingOptions(conversationId, pending, now);
      await store.setPendingOptions(freshConversation(), pending, now); // no such conversation: ignored
      expect((await fx.conversation(conversationId))?.pendingOptions).toEqual(pending);
    });
  });

  describe('DynamoDbTemplateRegistry', () => {
    const definition = (overrides: Partial<TemplateDefinition> = {}): TemplateDefinition => ({
      businessId: fx.businessId,
      name: 'reengagement',
      language: 'es_MX',
      providerTemplateId: 'HX' + 'b'.repeat(32),
      category: 'UTILITY',
      approvalStatus: 'submitted',
      variables: { '1': 'Ana' },
      connectionId: fx.connectionId,
      updatedAt: '2026-11-26T12:00:00.000Z',
      ...overrides,
    });

    it('puts, gets and lists templates by business, name and language', async () => {
      const registry = new DynamoDbTemplateRegistry(fx.documents, env.TEMPLATES_TABLE);
      await registry.put(definition());
      await registry.put(definition({ language: 'en' }));
      expect(await registry.get(fx.businessId, 'reengagement', 'es_MX')).toEqual(definition());
      expect(await registry.get(fx.businessId, 'reengagement', 'fr')).toBeUndefined();
      expect((await registry.list(fx.businessId)).map((t) => t.language).sort()).toEqual(['en', 'es_MX']);
      expect(await registry.list('other-business')).toEqual([]);
    });

    it('sets the approval status, keeps a rejection reason only with it, and refuses unknown templates', async () => {
      const registry = new DynamoDbTemplateRegistry(fx.documents, env.TEMPLATES_TABLE, () => new Date('2026-11-27T00:00:00.000Z'));
      await registry.put(definition({ name: 'promo' }));
      await registry.setApprovalStatus(fx.businessId, 'promo', 'es_MX', 'rejected', 'INVALID_FORMAT');
      expect(await registry.get(fx.businessId, 'promo', 'es_MX')).toEqual(
        expect.objectContaining({ approvalStatus: 'rejected', rejectionReason: 'INVALID_FORMAT', updatedAt: '2026-11-27T00:00:00.000Z' }),
      );
      await registry.setApprovalStatus(fx.businessId, 'promo', 'es_MX', 'approved');
      const approved = await registry.get(fx.businessId, 'promo', 'es_MX');
      expect(approved?.approvalStatus).toBe('approved');
      expect(approved?.rejectionReason).toBeUndefined();
      await expect(registry.setApprovalStatus(fx.businessId, 'ghost', 'es_MX', 'approved')).rejects.toBeInstanceOf(TemplateNotFoundError);
    });
  });

  describe('SqsOutboundQueue and SqsVisibility', () => {
    it('enqueues by conversation with a deduplication id from the idempotency key, and delays a received message', async () => {
      // Prepare
      const queueUrl = env.OUTBOUND_QUEUE_URL;
      const conversationId = freshConversation();
      const queue = new SqsOutboundQueue(fx.sqs, queueUrl);
      const message = { version: 1 as const, businessId: fx.businessId, conversationId, idempotencyKey: 'q-1', content: { type: 'text' as const, text: 'Hola' } };

      // Act
      await queue.enqueue(message, conversationId);
      const received = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'] }));
      const [first] = received.Messages ?? [];
      await new SqsVisibility(fx.sqs, queueUrl).delay(first.ReceiptHandle!, 0);
      const again = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'] }));
      const refused = await new SqsVisibility(fx.sqs, queueUrl).delayMany([again.Messages![0].ReceiptHandle!], 1);

      // Assess
      expect(JSON.parse(first.Body!)).toEqual(message);
      expect(first.Attributes).toEqual(expect.objectContaining({ MessageGroupId: conversationId, MessageDeduplicationId: outboundDeduplicationId(fx.businessId, 'q-1') }));
      expect(again.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('2');
      expect(refused).toBe(0);
    });
  });
});
