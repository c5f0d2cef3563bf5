import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionAttention } from '../../../lambdas/adapters/dynamodb-connection-attention';
import { DynamoDbMessageStore } from '../../../lambdas/adapters/dynamodb-message-store';
import { mediaS3Client } from '../../../lambdas/adapters/s3-media-store';
import { conversationIdFor, newMessageId } from '../../../lambdas/domain/ids';
import { outboundMessageSchema } from '../../../lambdas/domain/outbound/contract';
import { createSendDeps } from '../../../lambdas/handlers/send/deps';
import { loadSendEnv } from '../../../lambdas/handlers/send/env';
import { createSendHandler } from '../../../lambdas/handlers/send/handler';
import type { InboundContent, MediaRef } from '../../../lambdas/domain/message';
import { sampleMedia } from '../../../local/media-samples';
import { toSqsRecord } from '../../../local/sqs-poller';
import { createAdminFixture, putBodyFor, type AdminFixture, type SimulatedAccount } from './admin-fixture';

jest.setTimeout(60_000);

const business = () => `biz-${randomBytes(4).toString('hex')}`;

describe('admin API end to end (moto + Twilio simulator)', () => {
  let fx: AdminFixture;
  beforeAll(async () => {
    fx = await createAdminFixture();
  });
  afterAll(async () => fx?.close());

  /** Everything stored for a business, to compare before and after. */
  async function snapshot(businessId: string, connectionId?: string, conversationId?: string): Promise<string> {
    const connections = await fx.documents.send(
      new ScanCommand({ TableName: fx.env.CONNECTIONS_TABLE, ConsistentRead: true }),
    );
    const ours = (connections.Items ?? []).filter((item) => item.businessId === businessId || item.ownerBusinessId === businessId);
    const secret = connectionId
      ? await fx.secrets.send(new DescribeSecretCommand({ SecretId: ours.find((i) => i.connectionId === connectionId)!.secretArn as string }))
      : undefined;
    const messages = conversationId
      ? await fx.documents.send(
          new QueryCommand({ TableName: fx.env.MESSAGES_TABLE, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationId }, ConsistentRead: true }),
        )
      : undefined;
    const templates = await fx.documents.send(
      new QueryCommand({ TableName: fx.env.TEMPLATES_TABLE, KeyConditionExpression: 'businessId = :b', ExpressionAttributeValues: { ':b': businessId } }),
    );
    const audit = await auditOf(businessId);
    return JSON.stringify({
      connections: ours.sort((a, b) => String(a.connectionId).localeCompare(String(b.connectionId))),
      secret: secret && { versions: secret.VersionIdsToStages, deleted: secret.DeletedDate },
      messages: messages?.Items,
      templates: templates.Items,
      audit,
    });
  }

  async function auditOf(businessId: string): Promise<Record<string, unknown>[]> {
    const result = await fx.documents.send(
      new QueryCommand({ TableName: fx.env.AUDIT_TABLE, KeyConditionExpression: 'businessId = :b', ExpressionAttributeValues: { ':b': businessId }, ConsistentRead: true }),
    );
    return result.Items ?? [];
  }

  async function drainOutbound(): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const batch = await fx.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: fx.env.OUTBOUND_QUEUE_URL,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = batch.Messages ?? [];
      if (messages.length === 0) return all;
      all.push(...messages);
      for (const message of messages) await fx.sqs.send(new DeleteMessageCommand({ QueueUrl: fx.env.OUTBOUND_QUEUE_URL, ReceiptHandle: message.ReceiptHandle }));
    }
  }

  /** A customer message stored exactly as the webhook stores it (the real message store). */
  async function customerWrites(businessId: string, connectionId: string, account: SimulatedAccount, customer: string, text: string | InboundContent, at = new Date()) {
    const store = new DynamoDbMessageStore(fx.documents, {
      conversations: fx.env.CONVERSATIONS_TABLE,
      messages: fx.env.MESSAGES_TABLE,
      dedupe: fx.resources.functionEnv.webhook.DEDUPE_TABLE,
    });
    const conversationId = conversationIdFor(connectionId, customer);
    await store.recordInbound({
      connection: { connectionId, businessId, provider: 'twilio', status: 'active', displayNumber: account.number, secretArn: 'unused' },
      message: {
        provider: 'twilio',
        externalId: `SM${randomBytes(16).toString('hex')}`,
        accountId: account.accountSid,
        to: account.number,
        customer: { id: customer, isPhoneNumber: true, profileName: 'Ana' },
        content: typeof text === 'string' ? { type: 'text', text } : text,
      },
      conversationId,
      messageId: newMessageId(at),
      receivedAt: at,
      dedupeExpiresAt: new Date(at.getTime() + 86_400_000),
    });
    return conversationId;
  }

  it('PUT → GET → test → DELETE', async () => {
    // Prepare
    const businessId = business();
    const account = fx.account();

    // Act + Assess: create
    const created = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    const connectionId = created.body!.connectionId as string;
    expect(connectionId).toMatch(/^cn_[0-9A-Z]{26}$/);
    expect(created.body).toEqual(
      expect.objectContaining({
        businessId,
        connected: false,
        status: 'active',
        verified: false,
        displayNumber: account.number,
        credentials: { accountSid: account.accountSid, authTokenLast4: account.authToken.slice(-4) },
        webhookUrls: {
          incoming: `https://hooks.example.com/webhook/whatsapp/twilio/${connectionId}`,
          statusCallback: `https://hooks.example.com/webhook/whatsapp/twilio/${connectionId}/status`,
          fallback: `https://hooks.example.com/webhook/whatsapp/twilio/${connectionId}/fallback`,
        },
      }),
    );

    // The item the webhook and send Lambdas read, and the secret in the shape they read.
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item!;
    expect(item).toEqual(
      expect.objectContaining({
        connectionId, businessId, provider: 'twilio', status: 'active', displayNumber: account.number, providerNumberId: account.number,
        accountSid: account.accountSid, providerAccountId: account.accountSid, verified: false, secretLast4: { authToken: account.authToken.slice(-4) },
        createdAt: expect.any(String), updatedAt: expect.any(String),
      }),
    );
    expect(JSON.stringify(item)).not.toContain(account.authToken);
    const described = await fx.secrets.send(new DescribeSecretCommand({ SecretId: item.secretArn as string }));
    expect(described.Name).toBe(`${fx.env.SECRET_NAME_PREFIX}/connections/${connectionId}`);
    expect(described.KmsKeyId).toBe(fx.kmsKeyId);
    const value = await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }));
    expect(JSON.parse(value.SecretString!)).toEqual({ accountSid: account.accountSid, authToken: account.authToken });

    const got = await fx.call({ route: 'getConnection', businessId });
    expect(got.body).toEqual(created.body);

    // A refused send had flagged the connection (the send Lambda's write): the passing test clears it.
    await new DynamoDbConnectionAttention(fx.documents, fx.env.CONNECTIONS_TABLE).markNeedsAttention(connectionId, { reason: 'credentials-rejected', code: '20003', at: new Date().toISOString() });

    // Test against the simulator: account active, number is one of its WhatsApp senders, test message accepted.
    const tested = await fx.call({ route: 'testConnection', businessId, body: { sendTo: '+5215599990000' } });
    expect(tested.status).toBe(200);
    expect(tested.body).toEqual({
      ok: true,
      verified: true,
      displayNumber: account.number,
      steps: [
        { id: 'credentials', ok: true, detail: expect.any(String) },
        { id: 'sender', ok: true, detail: expect.any(String) },
        { id: 'testMessage', ok: true, detail: expect.any(String) },
      ],
    });
    expect(fx.simulator.messages().filter((m) => m.to === 'whatsapp:+5215599990000')).toHaveLength(1);
    const connected = await fx.call({ route: 'getConnection', businessId });
    expect(connected.body).toEqual(expect.objectContaining({ connected: true, verified: true, lastTest: expect.objectContaining({ ok: true }) }));
    expect(connected.body!.attention).toBeUndefined();

    // Delete: 204, disabled, secret scheduled for deletion, then "not connected" and 404.
    const deleted = await fx.call({ route: 'deleteConnection', businessId });
    expect(deleted.status).toBe(204);
    expect(deleted.raw).toBe('');
    const after = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item!;
    expect(after).toEqual(expect.objectContaining({ status: 'disabled', verified: false }));
    expect((await fx.secrets.send(new DescribeSecretCommand({ SecretId: item.secretArn as string }))).DeletedDate).toBeInstanceOf(Date);
    expect((await fx.call({ route: 'getConnection', businessId })).body).toEqual({ businessId, connected: false, status: 'not_connected', verified: false });
    expect((await fx.call({ route: 'deleteConnection', businessId })).status).toBe(404);
    expect((await fx.call({ route: 'testConnection', businessId, body: {} })).status).toBe(404);

    // A PUT after the DELETE creates a new connection.
    const recreated = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    expect(recreated.status).toBe(201);
    expect(recreated.body!.connectionId).not.toBe(connectionId);

    // Every mutating call left an audit record under the business.
    const audit = await auditOf(businessId);
    expect(audit.map((r) => [r.action, r.status, r.outcome])).toEqual([
      ['connection.put', 201, 'success'],
      ['connection.test', 200, 'success'],
      ['connection.delete', 204, 'success'],
      ['connection.delete', 404, 'failure'],
      ['connection.test', 404, 'failure'],
      ['connection.put', 201, 'success'],
    ]);
    expect(audit[0]).toEqual(
      expect.objectContaining({ actor: `user-of-${businessId}`, requestId: expect.stringMatching(/^req-/), target: connectionId, expiresAt: expect.any(Number) }),
    );
    const expiresIn = (audit[0].expiresAt as number) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(399 * 86_400);
    expect(expiresIn).toBeLessThan(401 * 86_400);
  });

  it('rotation keeps the connection id and writes a new secret version; a wrong token fails the test', async () => {
    const businessId = business();
    const account = fx.account();
    const first = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    expect((await fx.call({ route: 'testConnection', businessId, body: {} })).body?.verified).toBe(true);
    const wrongToken = randomBytes(16).toString('hex');

    const rotated = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account, { authToken: wrongToken }) });

    expect(rotated.status).toBe(200);
    expect(rotated.body!.connectionId).toBe(first.body!.connectionId);
    expect(rotated.body).toEqual(expect.objectContaining({ verified: false, connected: false, credentials: expect.objectContaining({ authTokenLast4: wrongToken.slice(-4) }) }));
    expect(rotated.body!.lastTest).toBeUndefined();
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: first.body!.connectionId }, ConsistentRead: true }))).Item!;
    const described = await fx.secrets.send(new DescribeSecretCommand({ SecretId: item.secretArn as string }));
    expect(Object.keys(described.VersionIdsToStages ?? {}).length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!).authToken).toBe(wrongToken);

    const tested = await fx.call({ route: 'testConnection', businessId, body: {} });
    expect(tested.status).toBe(200);
    expect(tested.body).toEqual({
      ok: false,
      verified: false,
      displayNumber: account.number,
      steps: [
        { id: 'credentials', ok: false, code: '20003', detail: expect.any(String) },
        { id: 'sender', ok: false, skipped: true, detail: expect.any(String) },
      ],
    });
    // A typo while re-saving is the failed step's to say: no needs-attention marker (nor alarm).
    expect((await fx.call({ route: 'getConnection', businessId })).body!.attention).toBeUndefined();
  });

  it('marks a verified connection whose credentials Twilio now refuses, with the reason on GET', async () => {
    // Prepare: connected and verified, then the stored token stops working (revoked at Twilio).
    const businessId = business();
    const account = fx.account();
    const saved = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    expect((await fx.call({ route: 'testConnection', businessId, body: {} })).body?.verified).toBe(true);
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: saved.body!.connectionId }, ConsistentRead: true }))).Item!;
    const secret = JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!) as Record<string, string>;
    await fx.secrets.send(new PutSecretValueCommand({ SecretId: item.secretArn as string, SecretString: JSON.stringify({ ...secret, authToken: randomBytes(16).toString('hex') }) }));

    // Act
    const tested = await fx.call({ route: 'testConnection', businessId, body: {} });

    // Assess
    expect((tested.body as { steps?: unknown[] } | undefined)?.steps?.[0]).toEqual(expect.objectContaining({ ok: false, code: '20003' }));
    expect((await fx.call({ route: 'getConnection', businessId })).body!.attention).toEqual({ reason: 'credentials-rejected', code: '20003', at: expect.any(String) });
  });

  it('a number the account does not own fails the sender step', async () => {
    const businessId = business();
    const account = fx.account();
    await fx.call({ route: 'putConnection', businessId, body: { provider: 'twilio', twilio: { ...putBodyFor(account).twilio, whatsappNumber: '+5215588887777' } } });
    const tested = await fx.call({ route: 'testConnection', businessId, body: {} });
    expect(tested.body).toEqual(expect.objectContaining({ verified: false, steps: [expect.objectContaining({ ok: true }), expect.objectContaining({ id: 'sender', ok: false, code: 'SENDER_NOT_FOUND' })] }));
  });

  it('two concurrent first PUTs give one connection', async () => {
    const businessId = business();
    const account = fx.account();

    const responses = await Promise.all([1, 2, 3].map(() => fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) })));

    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(responses.map((r) => r.body!.connectionId)).size).toBe(1);
    const byBusiness = await fx.documents.send(
      new QueryCommand({ TableName: fx.env.CONNECTIONS_TABLE, IndexName: 'byBusiness', KeyConditionExpression: 'businessId = :b', ExpressionAttributeValues: { ':b': businessId } }),
    );
    expect(byBusiness.Items?.map((i) => i.connectionId)).toEqual([responses[0].body!.connectionId]);
  });

  it('lists conversations and messages, and POST message lands on the outbound queue with the returned message id, which the send Lambda records', async () => {
    // Prepare: a connection and a customer who wrote.
    const businessId = business();
    const account = fx.account();
    const put = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    const connectionId = put.body!.connectionId as string;
    const customer = '+5215512340001';
    const conversationId = await customerWrites(businessId, connectionId, account, customer, 'Hola, ¿tienen pan?', new Date(Date.now() - 60_000));
    const second = await customerWrites(businessId, connectionId, account, '+5215512340002', 'Buenas');
    await drainOutbound();

    // Conversations, newest first, paged.
    const page1 = await fx.call({ route: 'listConversations', businessId, query: { limit: '1' } });
    expect(page1.status).toBe(200);
    expect((page1.body!.items as Array<{ conversationId: string }>).map((c) => c.conversationId)).toEqual([second]);
    const page2 = await fx.call({ route: 'listConversations', businessId, query: { limit: '1', cursor: page1.body!.nextCursor as string } });
    expect(page2.body!.items).toEqual([
      expect.objectContaining({ conversationId, customer: { id: customer, name: 'Ana' }, window: expect.objectContaining({ state: 'open' }) }),
    ]);
    expect(page2.body!.nextCursor).toBeUndefined();

    // Act: send a reply.
    const sent = await fx.call({ route: 'postMessage', businessId, conversationId, body: { content: { type: 'text', text: 'Sí, hay pan' }, idempotencyKey: 'reply-1' } });

    // Assess: 202, and the contract message on the queue.
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ messageId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), conversationId, idempotencyKey: 'reply-1', status: 'accepted' });
    const queued = await drainOutbound();
    expect(queued).toHaveLength(1);
    const message = JSON.parse(queued[0].Body!);
    expect(outboundMessageSchema.parse(message)).toEqual(message);
    expect(message).toEqual(
      expect.objectContaining({ version: 1, businessId, conversationId, idempotencyKey: 'reply-1', messageId: sent.body!.messageId, content: { type: 'text', text: 'Sí, hay pan' } }),
    );
    expect(queued[0].Attributes?.MessageGroupId).toBe(conversationId);

    // The send Lambda records and sends it under that id.
    const sendEnv = loadSendEnv({ ...fx.resources.functionEnv.send, TWILIO_API_BASE_URL: fx.simulator.url, TWILIO_CONTENT_BASE_URL: fx.simulator.url, SECRETS_CACHE_TTL_SECONDS: '0', CONNECTION_CACHE_TTL_SECONDS: '0' });
    const send = createSendHandler(createSendDeps(sendEnv));
    const result = await send({ Records: [toSqsRecord(queued[0], 'arn:aws:sqs:us-east-1:123456789012:outbound.fifo', 'us-east-1')] });
    expect(result.batchItemFailures).toEqual([]);
    const messages = await fx.call({ route: 'listMessages', businessId, conversationId });
    expect(messages.status).toBe(200);
    expect(messages.body!.items).toEqual([
      expect.objectContaining({ messageId: sent.body!.messageId, direction: 'outbound', type: 'text', text: 'Sí, hay pan', status: 'queued', idempotencyKey: 'reply-1' }),
      expect.objectContaining({ direction: 'inbound', type: 'text', text: 'Hola, ¿tienen pan?' }),
    ]);
    expect(fx.simulator.messages().some((m) => m.to === `whatsapp:${customer}` && m.body === 'Sí, hay pan')).toBe(true);

    expect((await auditOf(businessId)).map((r) => r.action)).toEqual(['connection.put', 'message.send']);
  });

  it('POST message retried with the same idempotency key answers the same message id, which is recorded and sent once', async () => {
    // Prepare: a connection and a customer who wrote.
    const businessId = business();
    const account = fx.account();
    const put = await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    const connectionId = put.body!.connectionId as string;
    const customer = '+5215512340011';
    const conversationId = await customerWrites(businessId, connectionId, account, customer, 'Hola');
    const other = await customerWrites(businessId, connectionId, account, '+5215512340012', 'Buenas');
    await drainOutbound();
    const body = { content: { type: 'text', text: 'Mañana abrimos a las 8' }, idempotencyKey: 'retry-1' };
    const sendEnv = loadSendEnv({ ...fx.resources.functionEnv.send, TWILIO_API_BASE_URL: fx.simulator.url, TWILIO_CONTENT_BASE_URL: fx.simulator.url, SECRETS_CACHE_TTL_SECONDS: '0', CONNECTION_CACHE_TTL_SECONDS: '0' });
    const send = createSendHandler(createSendDeps(sendEnv));
    const runSend = async (queued: Message[]) => {
      for (const record of queued) {
        const result = await send({ Records: [toSqsRecord(record, 'arn:aws:sqs:us-east-1:123456789012:outbound.fifo', 'us-east-1')] });
        expect(result.batchItemFailures).toEqual([]);
      }
    };

    // Act: the client retries (it did not see the first answer), the send Lambda runs, and it retries once more.
    const first = await fx.call({ route: 'postMessage', businessId, conversationId, body });
    const second = await fx.call({ route: 'postMessage', businessId, conversationId, body });
    await runSend(await drainOutbound());
    const third = await fx.call({ route: 'postMessage', businessId, conversationId, body });
    await runSend(await drainOutbound());
    const elsewhere = await fx.call({ route: 'postMessage', businessId, conversationId: other, body });

    // Assess: the same 202 each time, the claim in the dedupe table, one message recorded and sent under that id.
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    const messageId = first.body!.messageId as string;
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    const claim = (await fx.documents.send(new GetCommand({ TableName: fx.env.DEDUPE_TABLE, Key: { dedupeKey: `admin#${businessId}#retry-1` }, ConsistentRead: true }))).Item!;
    expect(claim).toEqual({ dedupeKey: `admin#${businessId}#retry-1`, messageId, conversationId, expiresAt: expect.any(Number) });
    const expiresIn = (claim.expiresAt as number) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(13.9 * 86_400);
    expect(expiresIn).toBeLessThan(14.1 * 86_400);
    const outbound = ((await fx.call({ route: 'listMessages', businessId, conversationId })).body!.items as Array<Record<string, unknown>>).filter((m) => m.direction === 'outbound');
    expect(outbound).toEqual([expect.objectContaining({ messageId, idempotencyKey: 'retry-1', text: 'Mañana abrimos a las 8' })]);
    expect(fx.simulator.messages().filter((m) => m.to === `whatsapp:${customer}` && m.body === 'Mañana abrimos a las 8')).toHaveLength(1);

    // The key reused for another conversation: 409, nothing queued, nothing recorded there.
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/conflict', status: 409 }));
    expect(await drainOutbound()).toEqual([]);
    expect(((await fx.call({ route: 'listMessages', businessId, conversationId: other })).body!.items as unknown[]).length).toBe(1);
  });

  it("lists a stored photo with a presigned link that serves its bytes from the media bucket, and a refused one's reason", async () => {
    // Prepare: a photo in the media bucket, recorded as the media step records it; a second one refused.
    const businessId = business();
    const account = fx.account();
    const connectionId = (await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) })).body!.connectionId as string;
    const photo = sampleMedia('image');
    const key = `${businessId}/${connectionId}/photo/0`;
    await mediaS3Client().send(new PutObjectCommand({ Bucket: fx.env.MEDIA_BUCKET, Key: key, Body: photo.bytes, ContentType: photo.contentType }));
    const mirror = { status: 'stored' as const, key, contentType: photo.contentType, size: photo.bytes.length, sha256: createHash('sha256').update(photo.bytes).digest('hex'), attempts: 1, at: new Date().toISOString() };
    const media = (m: MediaRef['mirror']) => ({ type: 'image', media: [{ kind: 'image', contentType: photo.contentType, url: 'https://api.twilio.com/x', mirror: m }] }) as InboundContent;
    const conversationId = await customerWrites(businessId, connectionId, account, '+5215512340009', media(mirror), new Date(Date.now() - 1000));
    await customerWrites(businessId, connectionId, account, '+5215512340009', media({ status: 'refused', reason: 'content-type-mismatch:png', attempts: 1, at: mirror.at }));

    // Act
    const listed = await fx.call({ route: 'listMessages', businessId, conversationId });

    // Assess: the refused one says why; the stored one's link GETs the very bytes from moto's S3, without credentials.
    const [refused, stored] = listed.body!.items as Array<{ media: Array<Record<string, unknown>> }>;
    expect(refused.media).toEqual([{ index: 0, kind: 'image', contentType: photo.contentType, status: 'refused', reason: 'content-type-mismatch:png' }]);
    expect(stored.media).toEqual([expect.objectContaining({ status: 'stored', size: photo.bytes.length, url: expect.stringContaining('X-Amz-Signature='), urlExpiresAt: expect.any(String) })]);
    const download = await fetch(stored.media[0]!.url as string);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(photo.bytes)).toBe(true);
  });

  it('creates the re-engagement template in Twilio and lists it', async () => {
    const businessId = business();
    const account = fx.account();
    await fx.call({ route: 'putConnection', businessId, body: putBodyFor(account) });
    const created = await fx.call({ route: 'createReengagement', businessId });
    expect(created.status).toBe(202);
    expect(created.body).toEqual(expect.objectContaining({ name: 'reengagement', language: 'es_MX', approvalStatus: 'submitted', contentSid: expect.stringMatching(/^HX/) }));
    expect(fx.simulator.contents().some((c) => c.sid === created.body!.contentSid && c.accountSid === account.accountSid)).toBe(true);
    const listed = await fx.call({ route: 'listTemplates', businessId });
    expect(listed.body).toEqual({ items: [expect.objectContaining({ name: 'reengagement', contentSid: created.body!.contentSid })] });
  });

  it("tenant isolation: a token for business A on B's resources gets 404 on every route and B's data is unchanged", async () => {
    // Prepare: B has a connection, a conversation with a message, and a template.
    const a = business();
    const b = business();
    const account = fx.account();
    const put = await fx.call({ route: 'putConnection', businessId: b, body: putBodyFor(account) });
    const connectionId = put.body!.connectionId as string;
    const conversationId = await customerWrites(b, connectionId, account, '+5215512349999', 'Hola');
    await fx.call({ route: 'createReengagement', businessId: b });
    await drainOutbound();
    const before = await snapshot(b, connectionId, conversationId);
    const auditOfABefore = (await auditOf(a)).length;

    // Act: every route, B's path, A's token.
    const routes = [
      { route: 'getConnection' },
      { route: 'putConnection', body: putBodyFor(account, { authToken: randomBytes(16).toString('hex') }) },
      { route: 'deleteConnection' },
      { route: 'testConnection', body: { sendTo: '+5215500000000' } },
      { route: 'listConversations' },
      { route: 'listMessages', conversationId },
      { route: 'postMessage', conversationId, body: { content: { type: 'text', text: 'intruder' } } },
      { route: 'listTemplates' },
      { route: 'createReengagement' },
    ] as const;
    for (const request of routes) {
      const response = await fx.call({ ...request, businessId: b, as: a });
      expect([request.route, response.status, response.headers['content-type']]).toEqual([request.route, 404, 'application/problem+json']);
      expect(response.raw).not.toContain(connectionId);
      expect(response.raw).not.toContain(account.number);
    }
    // The conversation of B through A's own path is 404 too.
    expect((await fx.call({ route: 'listMessages', businessId: a, conversationId })).status).toBe(404);
    expect((await fx.call({ route: 'postMessage', businessId: a, conversationId, body: { content: { type: 'text', text: 'x' } } })).status).toBe(404);

    // Assess: B's data is unchanged and nothing was queued; A's refused mutations are audited under A.
    expect(await snapshot(b, connectionId, conversationId)).toBe(before);
    expect(await drainOutbound()).toEqual([]);
    const auditOfA = (await auditOf(a)).slice(auditOfABefore);
    expect(auditOfA.map((r) => [r.action, r.status])).toEqual([
      ['connection.put', 404],
      ['connection.delete', 404],
      ['connection.test', 404],
      ['message.send', 404],
      ['template.create', 404],
      ['message.send', 404],
    ]);

    // Without authorizer context: 401.
    expect((await fx.call({ route: 'getConnection', businessId: b, as: null })).status).toBe(401);
  });

  it('Meta: PUT without a number, the verify token shown, the test reads the number and its facts from Graph; the number is one business\'s', async () => {
    // Prepare
    const businessId = business();
    const { account } = fx.meta;
    const input = { phoneNumberId: account.phoneNumberId, wabaId: account.wabaId, accessToken: account.accessToken, appSecret: account.appSecret };

    // Act
    const created = await fx.call({ route: 'putConnection', businessId, body: { provider: 'meta', meta: input } });
    const tested = await fx.call({ route: 'testConnection', businessId, body: { sendTo: '+5215599990000' } });
    const got = await fx.call({ route: 'getConnection', businessId });
    const resaved = await fx.call({ route: 'putConnection', businessId, body: { provider: 'meta', meta: input } });
    const rival = await fx.call({ route: 'putConnection', businessId: business(), body: { provider: 'meta', meta: input } });

    // Assess
    expect(created.status).toBe(201);
    const connectionId = created.body!.connectionId as string;
    const verifyToken = (created.body!.credentials as { verifyToken: string }).verifyToken;
    expect(verifyToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.body).toEqual(
      expect.objectContaining({
        provider: 'meta',
        credentials: { phoneNumberId: account.phoneNumberId, wabaId: account.wabaId, accessTokenLast4: account.accessToken.slice(-4), appSecretLast4: account.appSecret.slice(-4), verifyToken },
        webhookUrls: { incoming: `https://hooks.example.com/webhook/whatsapp/meta/${connectionId}` },
      }),
    );
    expect(created.body).not.toHaveProperty('displayNumber');
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item!;
    const secret = JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!);
    expect(secret).toEqual({ accessToken: account.accessToken, appSecret: account.appSecret, verifyToken });

    expect(tested.status).toBe(200);
    expect(tested.body).toEqual(
      expect.objectContaining({ ok: true, verified: true, displayNumber: '+15550100001', facts: { verifiedName: 'Acme Tacos', qualityRating: 'GREEN' } }),
    );
    // Cloud API addresses customers by digits, without '+'.
    expect(fx.meta.simulator.messages().map((m) => m.to)).toContain('5215599990000');
    expect(got.body).toEqual(expect.objectContaining({ connected: true, displayNumber: '+15550100001', facts: { verifiedName: 'Acme Tacos', qualityRating: 'GREEN' } }));

    expect(resaved.status).toBe(200);
    expect((resaved.body!.credentials as { verifyToken: string }).verifyToken).toBe(verifyToken);
    expect(resaved.body!.displayNumber).toBe('+15550100001');
    expect(rival.status).toBe(409);
    expect(rival.body).toEqual(expect.objectContaining({ type: 'https://echo.example/problems/number-in-use' }));
    for (const response of [created, tested, got, resaved, rival]) {
      expect(response.raw).not.toContain(account.accessToken);
      expect(response.raw).not.toContain(account.appSecret);
    }
    expect((await fx.call({ route: 'deleteConnection', businessId })).status).toBe(204);
  });

  it('360dialog: every save registers our webhook URL with the secret header; a key 360dialog refuses is saved with the reason shown', async () => {
    // Prepare
    const businessId = business();
    const { account, simulator } = fx.dialog360;

    // Act
    const created = await fx.call({ route: 'putConnection', businessId, body: { provider: '360dialog', dialog360: { apiKey: account.apiKey, whatsappNumber: account.displayNumber } } });
    const tested = await fx.call({ route: 'testConnection', businessId, body: {} });

    // Assess
    expect(created.status).toBe(201);
    const connectionId = created.body!.connectionId as string;
    expect(created.body).toEqual(
      expect.objectContaining({ provider: '360dialog', displayNumber: account.displayNumber, credentials: { apiKeyLast4: account.apiKey.slice(-4) }, setup: expect.objectContaining({ ok: true }) }),
    );
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item!;
    const secret = JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!);
    expect(secret).toEqual({ apiKey: account.apiKey, webhookSecret: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(simulator.webhookOf(account.displayNumber)).toEqual({
      url: `https://hooks.example.com/webhook/whatsapp/360dialog/${connectionId}`,
      headers: { 'X-Echo-Webhook-Token': secret.webhookSecret },
    });
    expect(tested.body).toEqual(expect.objectContaining({ ok: true, verified: true }));
    expect(created.raw).not.toContain(secret.webhookSecret);

    // Act: a key 360dialog does not know
    const refused = await fx.call({
      route: 'putConnection',
      businessId,
      body: { provider: '360dialog', dialog360: { apiKey: `${account.apiKey.slice(0, -4)}zzzz`, whatsappNumber: account.displayNumber } },
    });

    // Assess
    expect(refused.status).toBe(200);
    expect(refused.body!.setup).toEqual(expect.objectContaining({ ok: false }));
    expect((await fx.call({ route: 'getConnection', businessId })).body!.setup).toEqual(refused.body!.setup);
    const kept = JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!);
    expect(kept.webhookSecret).toBe(secret.webhookSecret);
  });

  it('never logs a secret or a full phone number', () => {
    const logs = fx.logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(/\+52155\d{6,}/);
    expect(logs).not.toMatch(/"authToken"/);
    for (const account of fx.accounts) expect(logs).not.toContain(account.authToken);
    for (const secret of [fx.meta.account.accessToken, fx.meta.account.appSecret, fx.dialog360.account.apiKey]) expect(logs).not.toContain(secret);
    expect(logs).not.toContain('+15550100001');
    expect(logs).toContain('whatsapp-admin');
  });
});
