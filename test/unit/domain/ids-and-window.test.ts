import { conversationIdFor, newMessageId, queueDeduplicationIdFor, SAFE_ID } from '../../../lambdas/domain/ids';
import { maskIdentifier } from '../../../lambdas/domain/redact';
import { CUSTOMER_SERVICE_WINDOW_MS, windowAfter } from '../../../lambdas/domain/window';
import { WINDOW_EXPIRY_SHARDS, writeShardOf } from '../../../lambdas/domain/write-shards';

describe('conversationIdFor', () => {
  it('is stable for the same connection and customer and differs otherwise', () => {
    const a = conversationIdFor('demo', '+5215512345678');
    expect(conversationIdFor('demo', '+5215512345678')).toBe(a);
    expect(conversationIdFor('other', '+5215512345678')).not.toBe(a);
    expect(conversationIdFor('demo', '+5215512345679')).not.toBe(a);
  });

  it('covers customers without a phone number and never contains the number', () => {
    const byPhone = conversationIdFor('demo', '+5215512345678');
    const byUsername = conversationIdFor('demo', 'MX.1234567890123456');
    expect(byPhone).not.toContain('5512345678');
    expect(byUsername).not.toBe(byPhone);
    for (const id of [byPhone, byUsername]) expect(id).toMatch(SAFE_ID);
  });
});

describe('newMessageId', () => {
  it('sorts by time as text', () => {
    const earlier = newMessageId(new Date('2026-11-26T10:00:00.000Z'));
    const later = newMessageId(new Date('2026-11-26T10:00:00.001Z'));
    expect(earlier < later).toBe(true);
    expect(earlier).toHaveLength(26);
    expect(later).toMatch(SAFE_ID);
  });

  it('differs for two messages in the same millisecond', () => {
    const at = new Date();
    expect(newMessageId(at)).not.toBe(newMessageId(at));
  });
});

describe('queueDeduplicationIdFor', () => {
  it('depends only on the provider and its message id and fits SQS limits', () => {
    const id = queueDeduplicationIdFor('twilio', 'SM123');
    expect(queueDeduplicationIdFor('twilio', 'SM123')).toBe(id);
    expect(queueDeduplicationIdFor('twilio', 'SM124')).not.toBe(id);
    expect(id.length).toBeLessThanOrEqual(128);
  });
});

describe('windowAfter', () => {
  it('closes 24 hours after the customer message, in that hour bucket, on the conversation\'s write shard', () => {
    const window = windowAfter(new Date('2026-11-26T23:59:30.000Z'), 'cv_abc');
    expect(new Date(window.windowExpiresAt).getTime() - Date.parse('2026-11-26T23:59:30.000Z')).toBe(CUSTOMER_SERVICE_WINDOW_MS);
    expect(window.windowExpiryBucket).toBe(`2026-11-27T23#${writeShardOf('cv_abc', WINDOW_EXPIRY_SHARDS)}`);
    expect(window.windowState).toBe('open');
  });
});

describe('maskIdentifier', () => {
  it.each([
    ['+5215512345678', '***5678'],
    ['whatsapp:+14155238886', '***8886'],
    ['123', '***'],
  ])('masks %s as %s', (input, masked) => {
    expect(maskIdentifier(input)).toBe(masked);
  });
});
