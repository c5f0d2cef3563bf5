import { matchesFilter } from '../../../local/stream-poller';

describe('stream filter patterns (as Lambda applies them to a stream record)', () => {
  const withOutbox = { eventName: 'MODIFY', dynamodb: { NewImage: { messageId: { S: 'm1' }, outbox: { M: { id: { S: 'e1' } } } } } };
  const without = { eventName: 'MODIFY', dynamodb: { NewImage: { messageId: { S: 'm1' } } } };
  const removed = { eventName: 'REMOVE', dynamodb: { OldImage: { messageId: { S: 'm1' } } } };

  it('lets through only records whose new image carries an outbox id (the relay mapping)', () => {
    const pattern = { dynamodb: { NewImage: { outbox: { M: { id: { S: [{ exists: true }] } } } } } };

    expect([withOutbox, without, removed].map((record) => matchesFilter(pattern, record))).toEqual([true, false, false]);
  });

  it('matches plain values, prefixes, anything-but and absence', () => {
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, withOutbox)).toBe(true);
    expect(matchesFilter({ eventName: [{ 'anything-but': ['REMOVE'] }] }, removed)).toBe(false);
    expect(matchesFilter({ dynamodb: { NewImage: { messageId: { S: [{ prefix: 'm' }] } } } }, without)).toBe(true);
    expect(matchesFilter({ dynamodb: { NewImage: [{ exists: false }] } }, removed)).toBe(true);
  });
});
