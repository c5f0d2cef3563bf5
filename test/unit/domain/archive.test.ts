import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createSendArchiver } from '../../../lambdas/adapters/send-archiver';
import {
  archivableHeaders,
  archiveKeyLowerBound,
  archiveKeyOf,
  archiveKeyTime,
  archivePrefix,
  bspExchangeOf,
  redactBspUrl,
  type ArchiveRecord,
  type PayloadArchive,
} from '../../../lambdas/domain/archive';
import type { SendRequest, WhatsAppSender } from '../../../lambdas/domain/bsp';
import type { Connection } from '../../../lambdas/domain/connection';
import { createWebhookHandler } from '../../../lambdas/handlers/webhook/handler';
import { TwilioWebhookCodec } from '../../../lambdas/providers/whatsapp/twilio';
import { SendFailedError } from '../../../lambdas/shared/errors';
import { CachedCredentials, FixedDirectory, RecordingEvents, RecordingQueue, RecordingStore, silentPowertools } from '../../support/fakes';
import { inboundTextFields, signedTwilioEvent } from '../../support/twilio-webhook';

const inboundRecord = (receivedAt: string, requestId = 'Abc=') =>
  ({
    v: 1,
    direction: 'inbound',
    provider: 'meta',
    businessId: 'biz/1',
    connectionId: 'cn_1',
    route: 'inbound',
    method: 'POST',
    receivedAt,
    requestId,
    url: 'https://x/webhook/whatsapp/meta/cn_1',
    rawPath: '/webhook/whatsapp/meta/cn_1',
    rawQueryString: '',
    headers: {},
    rawBody: '{}',
  }) satisfies ArchiveRecord;

describe('archive key layout', () => {
  it('puts the business first, then the connection, the hour and the instant, so keys sort by time', () => {
    // Act
    const key = archiveKeyOf(inboundRecord('2026-03-01T10:04:05.006Z'));
    const later = archiveKeyOf(inboundRecord('2026-03-01T11:00:00.000Z', 'A'));

    // Assess: a "/" in a business id cannot open another business's prefix.
    expect(key).toBe('inbound/biz%2F1/cn_1/2026/03/01/10/2026-03-01T10:04:05.006Z-Abc%3D.json');
    expect(key.startsWith(archivePrefix('inbound', 'biz/1', 'cn_1'))).toBe(true);
    expect([later, key].sort()).toEqual([key, later]);
    expect(archiveKeyTime(key)?.toISOString()).toBe('2026-03-01T10:04:05.006Z');
  });

  it('starts a window listing just before a record received exactly at its start', () => {
    // Prepare
    const from = new Date('2026-03-01T10:04:05.006Z');
    const prefix = archivePrefix('inbound', 'biz/1', 'cn_1');

    // Act
    const bound = archiveKeyLowerBound(prefix, from);

    // Assess
    expect(bound < archiveKeyOf(inboundRecord(from.toISOString()))).toBe(true);
    expect(bound > archiveKeyOf(inboundRecord('2026-03-01T10:04:05.005Z'))).toBe(true);
  });
});

describe('what the archive keeps of a request', () => {
  it('keeps the signature and the URL parts, never Authorization or our 360dialog token', () => {
    // Act
    const meta = archivableHeaders('meta', { 'x-hub-signature-256': 'sha256=ab', authorization: 'Bearer t', host: 'h', cookie: 'c' });
    const dialog360 = archivableHeaders('360dialog', { 'x-echo-webhook-token': 'secret', host: 'h' });

    // Assess
    expect(meta).toEqual({ 'x-hub-signature-256': 'sha256=ab', host: 'h' });
    expect(dialog360).toEqual({ host: 'h' });
  });

  it('strips userinfo and masks tokens in BSP URLs, and keeps only content headers of a BSP call', () => {
    // Act
    const url = redactBspUrl('https://AC1:authtoken@api.twilio.com/2010/Messages.json?access_token=EAAsecret&PageSize=50&appsecret_proof=ab12');
    const exchange = bspExchangeOf({
      method: 'POST',
      url: 'https://waba-v2.360dialog.io/messages',
      headers: { 'D360-API-KEY': 'key123AK', Authorization: 'Bearer x', 'Content-Type': 'application/json' },
      body: '{"to":"5215512345678"}',
      status: 200,
      responseBody: '{"messages":[{"id":"wamid.1"}]}',
      durationMs: 12.4,
    });

    // Assess
    expect(url).toBe('https://api.twilio.com/2010/Messages.json?access_token=***&PageSize=50&appsecret_proof=***');
    expect(exchange.requestHeaders).toEqual({ 'content-type': 'application/json' });
    expect(JSON.stringify(exchange)).not.toMatch(/key123AK|Bearer/);
    expect(exchange.durationMs).toBe(12);
  });
});

describe('send archiver', () => {
  const request: SendRequest = {
    credentials: { accountSid: 'AC1', authToken: 'tok' },
    from: { displayNumber: '+15550001111' },
    to: '+5215512345678',
    content: { type: 'text', text: 'Hola' },
    statusCallbackUrl: 'https://x/webhook/whatsapp/twilio/cn_1/status?c=cv_A&m=01J',
    callbackData: 'cv_A.01J',
    messageId: '01J',
  };

  function setup(put: PayloadArchive['put']) {
    const failures: unknown[] = [];
    const archiver = createSendArchiver({
      archive: { put },
      businessOf: async () => 'biz_1',
      clock: { now: () => new Date('2026-03-01T10:00:00Z') },
      onArchiveFailed: (error) => failures.push(error),
    });
    const fetchImpl = archiver.fetch(async () => new Response('{"sid":"SM1"}', { status: 201 }));
    const sender: WhatsAppSender = {
      maxTextLength: 1600,
      failureKindOf: () => 'permanent',
      async send(sent) {
        await (await fetchImpl('https://api.twilio.com/Messages.json', { method: 'POST', headers: { Authorization: 'Basic secret' }, body: 'To=x' })).text();
        if (sent.content.type === 'text' && sent.content.text === 'fail') throw new SendFailedError('permanent', '21211', 'invalid number');
        return { externalId: 'SM1', providerStatus: 'queued' };
      },
    };
    return { sender: archiver.wrap('twilio', sender), failures };
  }

  it('archives the calls of one send, without credentials, under its connection and message', async () => {
    // Prepare
    const records: ArchiveRecord[] = [];
    const { sender } = setup(async (record) => void records.push(record));

    // Act
    const result = await sender.send(request);

    // Assess
    expect(result.externalId).toBe('SM1');
    expect(records).toEqual([
      expect.objectContaining({ direction: 'outbound', businessId: 'biz_1', connectionId: 'cn_1', conversationId: 'cv_A', messageId: '01J', outcome: 'accepted:SM1' }),
    ]);
    const [record] = records;
    if (record?.direction !== 'outbound') throw new Error('not outbound');
    expect(record.exchanges).toEqual([expect.objectContaining({ method: 'POST', status: 201, requestBody: 'To=x', responseBody: '{"sid":"SM1"}', requestHeaders: {} })]);
    expect(JSON.stringify(record)).not.toContain('secret');
    expect(sender.maxTextLength).toBe(1600);
  });

  it('keeps the send outcome when the archive fails, and archives failed sends too', async () => {
    // Prepare
    const { sender, failures } = setup(async () => {
      throw new Error('S3 down');
    });

    // Act
    const result = await sender.send(request);
    const failed = sender.send({ ...request, content: { type: 'text', text: 'fail' } });

    // Assess
    expect(result.externalId).toBe('SM1');
    await expect(failed).rejects.toMatchObject({ code: '21211' });
    expect(failures).toHaveLength(2);
  });
});

describe('webhook archive', () => {
  const ACCOUNT = 'AC' + 'a'.repeat(32);
  const TOKEN = 'b'.repeat(32);
  const connection: Connection = {
    connectionId: 'acme',
    businessId: 'biz_acme',
    provider: 'twilio',
    status: 'active',
    displayNumber: '+14155238886',
    secretArn: 'arn:secret:acme',
  };

  function setup(put: PayloadArchive['put']) {
    const store = new RecordingStore();
    const powertools = silentPowertools();
    const metric = jest.spyOn(powertools.metrics, 'addMetric');
    const handler = createWebhookHandler({
      codecs: { twilio: new TwilioWebhookCodec() },
      connections: new FixedDirectory([connection]),
      credentials: new CachedCredentials({ 'arn:secret:acme': { accountSid: ACCOUNT, authToken: TOKEN } }),
      store,
      queue: new RecordingQueue(),
      events: new RecordingEvents(),
      archive: { put },
      clock: { now: () => new Date('2026-03-01T10:00:00Z') },
      ...powertools,
      config: { dedupeTtlMs: 86_400_000 },
    });
    const fields = inboundTextFields({ accountSid: ACCOUNT, to: connection.displayNumber });
    return { handler, store, metric, event: signedTwilioEvent({ path: '/webhook/whatsapp/twilio/acme', fields, authToken: TOKEN }) };
  }

  it('archives an accepted request beside storage, not after it', async () => {
    // Prepare: the archive answers only once storage has started.
    const records: ArchiveRecord[] = [];
    let release: () => void = () => undefined;
    const ctx = setup(
      (record) =>
        new Promise<void>((resolve) => {
          records.push(record);
          release = resolve;
        }),
    );
    // Storage releases the archive: were the archive awaited before storage, this would never answer.
    const { recordInbound, recordInboundBatch } = ctx.store;
    ctx.store.recordInbound = async (record) => {
      release();
      return recordInbound.call(ctx.store, record);
    };
    ctx.store.recordInboundBatch = async (batch) => {
      release();
      return recordInboundBatch.call(ctx.store, batch);
    };

    // Act
    const answer = await ctx.handler(ctx.event);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(ctx.store.inbound).toHaveLength(1);
    expect(records[0]).toMatchObject({ direction: 'inbound', businessId: 'biz_acme', connectionId: 'acme', receivedAt: '2026-03-01T10:00:00.000Z' });
  });

  it('answers 200 and counts ArchiveWriteFailed when the archive is down: the message is stored', async () => {
    // Prepare
    const ctx = setup(async () => {
      throw new Error('S3 unavailable');
    });

    // Act
    const answer = await ctx.handler(ctx.event);

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(ctx.store.inbound).toHaveLength(1);
    expect(ctx.metric).toHaveBeenCalledWith('ArchiveWriteFailed', MetricUnit.Count, 1);
  });
});
