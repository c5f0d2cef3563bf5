import { canMoveTo } from '../../../lambdas/domain/delivery-status';
import type { DeliveryStatus } from '../../../lambdas/domain/message';

describe('canMoveTo', () => {
  const cases: Array<[DeliveryStatus | undefined, DeliveryStatus, boolean]> = [
    [undefined, 'queued', true],
    [undefined, 'read', true],
    ['queued', 'sent', true],
    ['sent', 'delivered', true],
    ['delivered', 'read', true],
    ['read', 'delivered', false],
    ['delivered', 'sent', false],
    ['sent', 'sent', false],
    ['queued', 'failed', true],
    ['sent', 'undelivered', true],
    ['delivered', 'failed', false],
    ['read', 'undelivered', false],
    ['failed', 'delivered', false],
    ['failed', 'read', false],
    ['undelivered', 'failed', false],
  ];
  it.each(cases)('%s → %s is %s', (current, next, expected) => {
    expect(canMoveTo(current, next)).toBe(expected);
  });
});
