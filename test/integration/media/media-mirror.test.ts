import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mediaS3Client, S3MediaUrlSigner } from '../../../lambdas/adapters/s3-media-store';
import { mediaAccessOf } from '../../../lambdas/domain/media/access';
import { createSafeFetch } from '../../../lambdas/shared/safe-fetch';
import { sampleMedia, type SampleMediaKind } from '../../../local/media-samples';
import type { LocalRuntime } from '../../../local/runtime';
import { inboundFields } from '../../../local/simulate';
import { startTestRuntime } from '../../support/local-runtime';
import { twilioSignature } from '../../support/twilio-webhook';

jest.setTimeout(120_000);

type Item = Record<string, unknown>;

const ACCOUNT = { accountSid: `AC${'7'.repeat(32)}`, authToken: '8'.repeat(32), whatsappNumber: '+14155238886' };

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, log: string[], timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}\nruntime log:\n${log.slice(-30).join('\n')}`);
}

/**
 * Inbound media end to end through the local runtime, for each provider as its simulator serves
 * media (Twilio: Basic auth on …/Media/{ME} and a signed hop; Meta: GET /{media-id} → a 5-minute
 * URL that needs the token; 360dialog: the lookaside URL swapped for its own host, with the key):
 * the webhook stores the message, the event relay announces it, the bus rule queues the job, the
 * media function mirrors the file into moto's S3 and records it on the message, and the demo
 * responder answers the photo with its type and size through a presigned link.
 */
describe('inbound media mirrored to S3 through the local runtime', () => {
  let runtime: LocalRuntime;
  let documents: DynamoDBDocumentClient;
  const runtimeLog: string[] = [];
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT;
    if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run through jest --selectProjects integration');
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    runtime = await startTestRuntime({ account: ACCOUNT, responder: 'demo', log: (line) => runtimeLog.push(line) });
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: runtime.config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
    );
  });

  afterAll(async () => {
    await runtime?.stop();
    documents?.destroy();
    stdout?.mockRestore();
  });

  const table = () => runtime.resources.functionEnv.webhook.MESSAGES_TABLE!;

  async function messageByExternalId(externalId: string): Promise<Item | undefined> {
    const { Items = [] } = await documents.send(
      new ScanCommand({ TableName: table(), FilterExpression: 'externalId = :x', ExpressionAttributeValues: { ':x': externalId } }),
    );
    return Items[0];
  }

  async function postTwilio(kind: SampleMediaKind, from: string): Promise<string> {
    const sample = sampleMedia(kind);
    const simulator = runtime.simulator!;
    const recorded = simulator.recordInbound({
      accountSid: ACCOUNT.accountSid,
      from,
      to: ACCOUNT.whatsappNumber,
      media: [{ contentType: sample.contentType, base64: sample.bytes.toString('base64') }],
    });
    const messageSid = String(recorded.sid);
    const base = `${simulator.url}/2010-04-01/Accounts/${ACCOUNT.accountSid}/Messages/${messageSid}/Media`;
    const list = (await (await fetch(`${base}.json`, { headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64')}` } })).json()) as {
      media_list: Array<{ sid: string }>;
    };
    const fields = inboundFields(
      { from, text: '', name: 'Ana', messageSid, media: { url: `${base}/${list.media_list[0]!.sid}`, contentType: sample.contentType } },
      { DEV_TWILIO_ACCOUNT_SID: ACCOUNT.accountSid, DEV_WHATSAPP_NUMBER: ACCOUNT.whatsappNumber },
    );
    const url = runtime.webhookUrls.inbound;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(url, fields, ACCOUNT.authToken) },
      body: new URLSearchParams(fields).toString(),
    });
    expect(response.status).toBe(200);
    return messageSid;
  }

  async function postCloud(provider: 'meta' | '360dialog', kind: SampleMediaKind, from: string): Promise<string> {
    const sample = sampleMedia(kind);
    const simulator = provider === 'meta' ? runtime.simulators.meta : runtime.simulators.dialog360;
    const account = runtime.demos[provider].providerNumberId;
    const media = simulator.addMedia(account, { mimeType: sample.contentType, bytes: sample.bytes });
    const posted = await simulator.postInbound({
      account,
      messages: [
        {
          from,
          name: 'Ana',
          media: {
            type: kind === 'voice' ? 'audio' : kind,
            id: media.id,
            mimeType: media.mimeType,
            sha256: media.sha256,
            ...(kind === 'voice' && { voice: true }),
            ...(sample.filename && { filename: sample.filename }),
          },
        },
      ],
    });
    expect(posted.firstAttempt).toMatchObject({ ok: true });
    return posted.messageIds[0]!;
  }

  it.each([
    ['twilio', 'image'],
    ['meta', 'voice'],
    ['360dialog', 'document'],
  ] as const)('%s: a %s is stored in S3 with its size and sha256, readable through a presigned link', async (provider, kind) => {
    // Prepare
    const sample = sampleMedia(kind);
    const from = `+52155${String(Date.now()).slice(-8)}`;

    // Act
    const externalId = provider === 'twilio' ? await postTwilio(kind, from) : await postCloud(provider, kind, from);

    // Assess: recorded on the message…
    const stored = await waitFor(
      'the media to be mirrored',
      async () => {
        const item = await messageByExternalId(externalId);
        const mirror = (item?.content as { media?: Array<{ mirror?: { status: string } }> } | undefined)?.media?.[0]?.mirror;
        return mirror && mirror.status !== 'pending' ? item : undefined;
      },
      runtimeLog,
    );
    const mirror = (stored.content as { media: Array<{ mirror: Record<string, unknown> }> }).media[0]!.mirror;
    expect(mirror).toMatchObject({
      status: 'stored',
      key: `${stored.businessId}/${stored.connectionId}/${stored.conversationId}/${stored.messageId}/0`,
      contentType: sample.contentType,
      size: sample.bytes.length,
      sha256: createHash('sha256').update(sample.bytes).digest('hex'),
    });
    // …and the presigned link serves exactly the bytes.
    const signer = new S3MediaUrlSigner(mediaS3Client({ region: runtime.config.AWS_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }, { AWS_ENDPOINT_URL: runtime.motoEndpoint }), runtime.resources.functionEnv.media!.MEDIA_BUCKET!);
    const [access] = await mediaAccessOf(stored.content, signer);
    const download = await fetch(access!.url!);
    expect(Buffer.from(await download.arrayBuffer()).equals(sample.bytes)).toBe(true);
  });

  it('twilio: the demo responder answers a photo with its type and size', async () => {
    // Prepare
    const from = `+54911${String(Date.now()).slice(-8)}`;

    // Act
    const externalId = await postTwilio('image', from);

    // Assess
    const inbound = await waitFor('the photo to be stored', () => messageByExternalId(externalId), runtimeLog);
    const reply = await waitFor(
      'the demo reply',
      async () => {
        const { Items = [] } = await documents.send(
          new ScanCommand({
            TableName: table(),
            FilterExpression: 'conversationId = :c AND direction = :out',
            ExpressionAttributeValues: { ':c': inbound.conversationId, ':out': 'outbound' },
          }),
        );
        return Items.find((item) => (item.content as { type?: string }).type === 'text');
      },
      runtimeLog,
    );
    expect((reply.content as { text: string }).text).toMatch(/una imagen \(image\/jpeg, 1 KB\)/);
  });
});

describe('safe fetching over a real socket', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`host ${request.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('connects to the address it checked, not to whatever the name resolves to later', async () => {
    // Prepare: a name no resolver knows; only the pinned address can reach the server.
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const safeFetch = createSafeFetch({ allowedHosts: ['media.echo.test'], allowInsecureLocal: true }, { resolve });

    // Act
    const response = await safeFetch(`http://media.echo.test:${port}/x`);

    // Assess
    expect(await response.text()).toBe(`host media.echo.test:${port}`);
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
