/**
 * The payload archive against moto: the webhook archives what it accepted (S3 put, list, read back),
 * a replay brings lost messages back exactly once, and `dlq redrive` moves a message back.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { archiveS3Client, S3PayloadArchive } from '../../lambdas/adapters/s3-payload-archive';
import { ARCHIVE_RECORD_VERSION } from '../../lambdas/domain/archive';
import { dedupeKeyFor } from '../../lambdas/domain/ids';
import { redriveDeadLetterQueue } from '../../scripts/ops/dlq';
import { replay, silentPowertools, type ReplayDeps } from '../../scripts/ops/replay';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

describe('payload archive (moto)', () => {
  let fixture: WebhookFixture;
  let archive: S3PayloadArchive;
  const started = new Date(Date.now() - 1000);
  const externalIds: string[] = [];

  beforeAll(async () => {
    fixture = await createWebhookFixture();
    archive = new S3PayloadArchive(archiveS3Client({}), fixture.env.ARCHIVE_BUCKET!);
    // Two customer messages, accepted and archived by the real webhook.
    for (const body of ['Hola', 'Quiero reservar']) {
      const { event, fields } = fixture.inboundEvent({ body });
      expect((await fixture.invoke(event)).statusCode).toBe(200);
      externalIds.push(fields.MessageSid!);
    }
  });

  afterAll(async () => {
    await fixture?.close();
  });

  function replayDeps(lines: string[]): ReplayDeps {
    return {
      archive,
      webhook: { ...fixture.deps, ...silentPowertools(), archive: undefined },
      dedupeExists: async () => false,
      now: () => new Date(),
      dedupeTtlMs: 14 * 24 * 60 * 60 * 1000,
      print: (line) => lines.push(line),
    };
  }
  const window = () => ({ connectionId: fixture.connectionId, from: started, to: new Date(Date.now() + 1000) });

  it('keeps every accepted request under its business and connection, signature kept, readable back', async () => {
    // Prepare: an outbound exchange as the send Lambda archives it.
    await archive.put({
      v: ARCHIVE_RECORD_VERSION,
      direction: 'outbound',
      provider: 'twilio',
      businessId: fixture.businessId,
      connectionId: fixture.connectionId,
      conversationId: 'cv_A',
      messageId: '01JTEST',
      at: new Date().toISOString(),
      outcome: 'accepted:SM1',
      exchanges: [{ method: 'POST', url: 'https://api.twilio.com/x', requestHeaders: {}, status: 201, responseBody: '{"sid":"SM1"}', durationMs: 5 }],
    });

    // Act
    const inboundKeys: string[] = [];
    for await (const key of archive.list({ direction: 'inbound', businessId: fixture.businessId, ...window() })) inboundKeys.push(key);
    const outboundKeys: string[] = [];
    for await (const key of archive.list({ direction: 'outbound', businessId: fixture.businessId, from: started, to: new Date(Date.now() + 1000) })) {
      outboundKeys.push(key);
    }
    const first = await archive.get(inboundKeys[0]!);

    // Assess
    expect(inboundKeys).toHaveLength(2);
    expect(inboundKeys.every((key) => key.startsWith(`inbound/${fixture.businessId}/${fixture.connectionId}/`))).toBe(true);
    expect(outboundKeys).toEqual([expect.stringContaining(`outbound/${fixture.businessId}/${fixture.connectionId}/`)]);
    expect(first).toMatchObject({ direction: 'inbound', provider: 'twilio', route: 'inbound', businessId: fixture.businessId });
    if (first.direction !== 'inbound') throw new Error('not inbound');
    expect(first.rawBody).toContain('Body=Hola');
    expect(Object.keys(first.headers)).toContain('x-twilio-signature');
    expect(JSON.stringify(first)).not.toContain(fixture.authToken);
  });

  it('a replay brings deleted messages back exactly once; a second replay adds nothing', async () => {
    // Prepare: lose both messages (message items and dedupe items gone from the tables).
    const lost = await Promise.all(externalIds.map(async (id) => (await fixture.messagesWithExternalId(id))[0]!));
    for (const [index, item] of lost.entries()) {
      await fixture.documents.send(new DeleteCommand({ TableName: fixture.env.MESSAGES_TABLE, Key: { conversationId: item.conversationId, messageId: item.messageId } }));
      await fixture.documents.send(new DeleteCommand({ TableName: fixture.env.DEDUPE_TABLE, Key: { dedupeKey: dedupeKeyFor('twilio', externalIds[index]!) } }));
    }
    await fixture.drainInboundQueue();

    // Act
    const lines: string[] = [];
    const firstRun = await replay({ ...window(), dryRun: false }, replayDeps(lines));
    const secondRun = await replay({ ...window(), dryRun: false }, replayDeps(lines));

    // Assess
    expect(firstRun).toMatchObject({ requests: 2, newMessages: 2, alreadyStored: 0, skipped: 0, failed: 0 });
    expect(secondRun).toMatchObject({ requests: 2, newMessages: 0, alreadyStored: 2, skipped: 0, failed: 0 });
    for (const [index, id] of externalIds.entries()) {
      const items = await fixture.messagesWithExternalId(id);
      expect(items).toHaveLength(1);
      // Stored as received then: the replay does not move the conversation's window to now.
      expect(Math.abs(Date.parse(items[0]!.receivedAt as string) - Date.parse(lost[index]!.receivedAt as string))).toBeLessThan(1000);
    }
    expect(lines.filter((line) => line.startsWith('↺'))).toHaveLength(2);
    expect(await fixture.drainInboundQueue()).toHaveLength(2);
  });

  it('dlq redrive moves a dead-lettered message back to its source queue, group kept', async () => {
    // Prepare
    const source = Object.values(fixture.resources.queues).find((queue) => queue.url === fixture.env.INBOUND_QUEUE_URL)!;
    const dlq = fixture.resources.queues[source.deadLetterQueue!]!;
    await fixture.sqs.send(
      new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: '{"poison":true}', MessageGroupId: 'cv_DLQ', MessageDeduplicationId: 'dead-1' }),
    );

    // Act
    const moved = await redriveDeadLetterQueue(fixture.sqs, { name: 'inbound', url: dlq.url, sourceUrl: source.url }, () => undefined);

    // Assess
    expect(moved).toBe(1);
    const back = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['MessageGroupId'] }),
    );
    expect(back.Messages?.map((message) => [message.Body, message.Attributes?.MessageGroupId])).toEqual([['{"poison":true}', 'cv_DLQ']]);
    await fixture.sqs.send(new DeleteMessageCommand({ QueueUrl: source.url, ReceiptHandle: back.Messages![0]!.ReceiptHandle }));
    const left = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(left.Messages ?? []).toHaveLength(0);
  });
});
