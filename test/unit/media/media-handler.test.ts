import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { createMediaHandler, parseMediaJob, type MediaHandlerDeps } from '../../../lambdas/handlers/media/handler';
import type { MirrorDeps } from '../../../lambdas/domain/media/mirror';
import { MediaUnavailableError } from '../../../lambdas/domain/media/errors';

const EVENT = {
  'detail-type': 'message.received',
  source: 'echo.whatsapp',
  detail: {
    version: 1,
    businessId: 'acme',
    connectionId: 'cn_1',
    conversationId: 'cv_1',
    messageId: '01JMSG',
    provider: 'twilio',
    customer: { id: '+5215512345678', isPhoneNumber: true },
    content: { type: 'image', media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', contentType: 'image/jpeg', kind: 'image' }] },
  },
};

function sqsEvent(body: unknown, receiveCount = 1): SQSEvent {
  return {
    Records: [
      {
        messageId: 'm-1',
        receiptHandle: 'rh-1',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        attributes: { ApproximateReceiveCount: String(receiveCount) } as never,
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:media',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

function deps(mirror: Partial<MirrorDeps>): MediaHandlerDeps & { delays: Array<[string, number]> } {
  const delays: Array<[string, number]> = [];
  return {
    delays,
    mirror: {
      connections: { get: async () => ({ connectionId: 'cn_1', businessId: 'acme', provider: 'twilio', status: 'active', displayNumber: '+15550100001', secretArn: 's' }) },
      credentials: { get: async () => ({}) },
      fetchers: { twilio: { fetch: async () => Promise.reject(new MediaUnavailableError('503')) }, meta: { fetch: jest.fn() }, '360dialog': { fetch: jest.fn() } },
      objects: { put: jest.fn(), delete: jest.fn() },
      records: { current: async () => [undefined], record: async () => 'recorded' },
      failures: { recent: async () => 0, add: async () => undefined },
      events: { publish: jest.fn() },
      clock: { now: () => new Date('2026-11-26T12:00:00Z') },
      config: { breakerThreshold: 15 },
      ...mirror,
    },
    visibility: { delay: async (handle, seconds) => void delays.push([handle, seconds]) },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ serviceName: 'test', namespace: 'Test' }),
    config: { maxAttempts: 6, random: () => 0.5 },
  };
}

describe('media handler', () => {
  it('reads the job from the rule-delivered event', () => {
    // Act
    const job = parseMediaJob(JSON.stringify(EVENT));

    // Assess
    expect(job).toEqual({
      businessId: 'acme',
      connectionId: 'cn_1',
      conversationId: 'cv_1',
      messageId: '01JMSG',
      provider: 'twilio',
      media: [{ url: EVENT.detail.content.media[0]!.url, contentType: 'image/jpeg', kind: 'image' }],
    });
    expect(parseMediaJob('{"detail-type":"message.received","detail":{}}')).toBeUndefined();
  });

  it('backs a retryable failure off with the record visibility and reports it as a batch item failure', async () => {
    // Prepare
    const d = deps({});

    // Act
    const response = await createMediaHandler(d)(sqsEvent(EVENT, 2));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    // Attempt 2: half (random 0.5) of 30 s × 2.
    expect(d.delays).toEqual([['rh-1', 30]]);
  });

  it('acknowledges an unreadable job without retry', async () => {
    // Prepare
    const d = deps({});

    // Act
    const response = await createMediaHandler(d)(sqsEvent('not json'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(d.delays).toEqual([]);
  });

  it('records a failure that outlasted every attempt and acknowledges the job', async () => {
    // Prepare
    const recorded: unknown[] = [];
    const d = deps({ records: { current: async () => [undefined], record: async (_c, _m, _i, mirror) => (recorded.push(mirror), 'recorded') } });

    // Act
    const response = await createMediaHandler(d)(sqsEvent(EVENT, 6));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(recorded).toEqual([expect.objectContaining({ status: 'failed', reason: 'MediaUnavailableError', attempts: 1 })]);
  });
});
