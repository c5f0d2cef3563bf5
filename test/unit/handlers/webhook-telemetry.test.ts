import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Connection } from '../../../lambdas/domain/connection';
import { createWebhookHandler } from '../../../lambdas/handlers/webhook/handler';
import { TwilioWebhookCodec } from '../../../lambdas/providers/whatsapp/twilio';
import { addProviderDimension } from '../../../lambdas/shared/powertools';
import { DIMENSION, METRIC, SERVICE } from '../../../lambdas/shared/telemetry';
import { CachedCredentials, FixedDirectory, RecordingEvents, RecordingQueue, RecordingStore } from '../../support/fakes';
import { randomSid, signedTwilioEvent, statusFields } from '../../support/twilio-webhook';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const TOKEN = 'b'.repeat(32);
const STATUS_PATH = '/webhook/whatsapp/twilio/acme/status';
const KEY = 'c=cv_ABC&m=01JDXYZ';

const active: Connection = {
  connectionId: 'acme',
  businessId: 'acme-business',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn:secret:acme',
};

type Emf = ReturnType<Metrics['serializeMetrics']> & Record<string, unknown>;

/** A real Metrics instance whose published EMF documents are kept instead of printed. */
function setup() {
  const metrics = new Metrics({ serviceName: SERVICE.webhook, namespace: 'Test' });
  metrics.setThrowOnEmptyMetrics(false);
  const published: Emf[] = [];
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    if (metrics.hasStoredMetrics()) published.push(metrics.serializeMetrics() as Emf);
    metrics.clearMetrics();
    metrics.clearDimensions();
    return metrics;
  });
  const store = new RecordingStore();
  let now = Date.parse('2026-11-26T12:00:00Z');
  const handler = createWebhookHandler({
    codecs: { twilio: new TwilioWebhookCodec() },
    connections: new FixedDirectory([active]),
    credentials: new CachedCredentials({ 'arn:secret:acme': { accountSid: ACCOUNT, authToken: TOKEN } }),
    store,
    queue: new RecordingQueue(),
    events: new RecordingEvents(),
    // Each read of the clock moves it 40 ms, so the latency the handler measures is not zero.
    clock: { now: () => new Date((now += 40)) },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    config: { dedupeTtlMs: 86_400_000 },
  });
  const status = (value: string) =>
    handler(signedTwilioEvent({ path: STATUS_PATH, rawQueryString: KEY, authToken: TOKEN, fields: statusFields({ accountSid: ACCOUNT, messageSid: randomSid('SM'), status: value }) }));
  return { handler, store, published, status };
}

function counted(document: Emf, name: string): number | undefined {
  return document[name] as number | undefined;
}

describe('webhook telemetry', () => {
  it('publishes every metric of a request per service and per provider, with the latency in milliseconds', async () => {
    // Prepare
    const ctx = setup();

    // Act
    await ctx.status('delivered');

    // Assess
    const [emf] = ctx.published;
    const directive = emf!._aws.CloudWatchMetrics[0]!;
    expect(directive.Dimensions).toEqual(expect.arrayContaining([[DIMENSION.service], expect.arrayContaining([DIMENSION.service, DIMENSION.provider])]));
    expect(emf![DIMENSION.provider]).toBe('twilio');
    expect(directive.Metrics).toEqual(expect.arrayContaining([{ Name: METRIC.webhookLatency, Unit: 'Milliseconds' }]));
    expect(counted(emf!, METRIC.webhookLatency)).toBeGreaterThan(0);
  });

  it('counts a delivered status once, including one that arrives after read', async () => {
    // Prepare
    const ctx = setup();

    // Act: applied, then a replay (stale at delivered), then an overtaken one (stale at read)
    await ctx.status('delivered');
    ctx.store.statusResult = { outcome: 'stale', currentStatus: 'delivered' };
    await ctx.status('delivered');
    ctx.store.statusResult = { outcome: 'stale', currentStatus: 'read' };
    await ctx.status('delivered');

    // Assess
    expect(ctx.published.map((emf) => counted(emf, METRIC.deliveryConfirmed))).toEqual([1, undefined, 1]);
  });

  it('counts an applied failure, and never a read, as a delivery outcome', async () => {
    // Prepare
    const ctx = setup();

    // Act
    await ctx.status('undelivered');
    await ctx.status('read');

    // Assess
    expect(ctx.published.map((emf) => counted(emf, METRIC.deliveryFailed))).toEqual([1, undefined]);
    expect(ctx.published.map((emf) => counted(emf, METRIC.deliveryConfirmed))).toEqual([undefined, undefined]);
  });
});

describe('addProviderDimension', () => {
  it('replaces the provider set instead of stacking a second one (no EMF key collision on flush)', () => {
    // Prepare
    const warn = jest.fn();
    const logger = { warn, debug: jest.fn(), info: jest.fn(), error: jest.fn(), trace: jest.fn() };
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'whatsapp-webhook', logger });

    // Act
    addProviderDimension(metrics, 'twilio');
    addProviderDimension(metrics, 'meta');
    metrics.addMetric(METRIC.webhookVerified, 'Count', 1);
    const emf = metrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }; provider: string };

    // Assess
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service'], ['service', 'provider']]);
    expect(emf.provider).toBe('meta');
    expect(warn).not.toHaveBeenCalled();
  });
});
