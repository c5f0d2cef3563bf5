import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { WEBHOOK_ROUTES } from '../../lib/config';
import { signedTwilioEvent, twilioSignature } from '../support/twilio-webhook';
import { createWebhookFixture, type WebhookFixture } from '../support/webhook-fixture';

jest.setTimeout(60_000);

const HOST = 'abc123.execute-api.us-east-1.amazonaws.com';

/**
 * Twilio's fallback URL (`…/{connectionId}/fallback`): Twilio calls it when the primary webhook
 * failed (timeout, 5xx, unreachable), with the primary request's fields plus `ErrorCode` and
 * `ErrorUrl` (the URL that failed), signed over the fallback URL.
 */
describe('Twilio fallback URL → the same inbound path (against moto)', () => {
  let fx: WebhookFixture;
  beforeAll(async () => {
    fx = await createWebhookFixture();
  });
  afterAll(async () => fx?.close());

  const fallbackPath = () => `${fx.path}/fallback`;
  const primaryUrl = () => `https://${HOST}${fx.path}`;

  /** What Twilio posts to the fallback URL after the primary failed: the same fields, plus the failure. */
  function fallbackFields(fields: Record<string, string>): Record<string, string> {
    return { ...fields, ErrorCode: '11200', ErrorUrl: primaryUrl() };
  }

  /**
   * The event API Gateway passes on for the fallback route (`WEBHOOK_ROUTES.twilioFallback`),
   * signed by default over the fallback URL, as Twilio signs it.
   */
  function fallbackEvent(fields: Record<string, string>, signature?: string): APIGatewayProxyEventV2 {
    const event = signedTwilioEvent({ host: HOST, path: fallbackPath(), fields, authToken: fx.authToken, ...(signature !== undefined && { signature }) });
    const routeKey = `POST ${WEBHOOK_ROUTES.twilioFallback}`;
    return { ...event, routeKey, pathParameters: { connectionId: fx.connectionId }, requestContext: { ...event.requestContext, routeKey } };
  }

  /** A stored item or queued body without what differs from one message to another. */
  const shape = (item: Record<string, unknown>) => Object.keys(item).sort();

  it('stores and queues a signed message posted to the fallback URL exactly like one posted to the primary', async () => {
    // Prepare: one message through the primary, one (another customer, same text) through the fallback.
    const primary = fx.inboundEvent({ from: '+5215500000101', body: 'Hola, ¿abren hoy?' });
    const viaFallback = fallbackFields(fx.inboundEvent({ from: '+5215500000102', body: 'Hola, ¿abren hoy?' }).fields);

    // Act
    const linesBefore = fx.logLines.length;
    const primaryResponse = await fx.invoke(primary.event);
    const linesAfterPrimary = fx.logLines.length;
    const fallbackResponse = await fx.invoke(fallbackEvent(viaFallback));

    // Every delivery through the fallback is a primary failure that it healed: counted for operators.
    expect(fx.logLines.slice(linesBefore, linesAfterPrimary).join('')).not.toContain('InboundViaFallback');
    expect(fx.logLines.slice(linesAfterPrimary).join('')).toContain('"InboundViaFallback"');

    // Assess: the same answer, the same stored message and conversation, the same queue message.
    expect(fallbackResponse).toEqual(primaryResponse);
    expect(fallbackResponse.statusCode).toBe(200);
    const [storedPrimary] = await fx.messagesWithExternalId(primary.fields.MessageSid);
    const [stored] = await fx.messagesWithExternalId(viaFallback.MessageSid);
    expect(stored).toMatchObject({
      direction: 'inbound',
      provider: 'twilio',
      connectionId: fx.connectionId,
      businessId: fx.businessId,
      type: 'text',
      content: { type: 'text', text: 'Hola, ¿abren hoy?' },
      customerId: '+5215500000102',
      externalId: viaFallback.MessageSid,
    });
    expect(shape(stored)).toEqual(shape(storedPrimary));
    expect(stored.content).toEqual(storedPrimary.content);
    const conversation = await fx.conversation(stored.conversationId as string);
    expect(conversation).toMatchObject({ businessId: fx.businessId, customerId: '+5215500000102', customerName: 'María', windowState: 'open', lastCustomerMessageAt: stored.receivedAt });

    const queued = (await fx.drainInboundQueue()).map((m) => ({ group: m.Attributes?.MessageGroupId, body: JSON.parse(m.Body!) as Record<string, unknown> }));
    const fromFallback = queued.filter((m) => m.body.externalId === viaFallback.MessageSid);
    const fromPrimary = queued.filter((m) => m.body.externalId === primary.fields.MessageSid);
    expect(fromFallback).toHaveLength(1);
    expect(fromFallback[0].group).toBe(stored.conversationId);
    expect(fromFallback[0].body).toMatchObject({ version: 1, kind: 'inbound.message', conversationId: stored.conversationId, messageId: stored.messageId, content: { type: 'text', text: 'Hola, ¿abren hoy?' } });
    expect(shape(fromFallback[0].body)).toEqual(shape(fromPrimary[0].body));
  });

  it('keeps ErrorCode and ErrorUrl out of the content: a quick-reply button stays a button reply', async () => {
    const { fields } = fx.inboundEvent({
      from: '+5215500000103',
      body: 'Sí',
      extra: { MessageType: 'button', ButtonText: 'Sí', ButtonPayload: 'yes' },
    });

    expect((await fx.invoke(fallbackEvent(fallbackFields(fields)))).statusCode).toBe(200);

    const [stored] = await fx.messagesWithExternalId(fields.MessageSid);
    expect(stored.type).not.toBe('unsupported');
    expect(stored.content).toEqual(expect.objectContaining({ type: 'button_reply', id: 'yes', title: 'Sí' }));
    expect(JSON.stringify(stored)).not.toContain('11200');
    await fx.drainInboundQueue();
  });

  it('stores and queues once a message delivered to the primary (which succeeded) and then to the fallback', async () => {
    const { event, fields } = fx.inboundEvent({ from: '+5215500000104', body: 'una sola vez' });

    const first = await fx.invoke(event);
    const second = await fx.invoke(fallbackEvent(fallbackFields(fields)));

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const stored = await fx.messagesWithExternalId(fields.MessageSid);
    expect(stored).toHaveLength(1);
    expect(await fx.messagesOf(stored[0].conversationId as string)).toHaveLength(1);
    const queued = await fx.drainInboundQueue();
    expect(queued.map((m) => JSON.parse(m.Body!).externalId)).toEqual([fields.MessageSid]);
  });

  it('refuses (403) a request to the fallback URL signed over the primary URL, and writes nothing', async () => {
    const fields = fallbackFields(fx.inboundEvent({ from: '+5215500000105', body: 'firmado para otra URL' }).fields);
    const signedForPrimary = twilioSignature(primaryUrl(), fields, fx.authToken);
    // The same fields, signed over the right URL, would pass: only the URL differs.
    expect(signedForPrimary).not.toBe(twilioSignature(`https://${HOST}${fallbackPath()}`, fields, fx.authToken));

    const response = await fx.invoke(fallbackEvent(fields, signedForPrimary));

    expect(response.statusCode).toBe(403);
    expect(await fx.messagesWithExternalId(fields.MessageSid)).toHaveLength(0);
    expect(await fx.drainInboundQueue()).toHaveLength(0);
  });
});
