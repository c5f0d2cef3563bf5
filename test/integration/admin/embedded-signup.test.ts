import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_META_APP } from '../../../local/meta-app';
import { createAdminFixture, type AdminFixture } from './admin-fixture';

/**
 * `POST connection/embedded-signup` end to end: the real admin handler and deps (Echo's app secret
 * read from moto's Secrets Manager, the connection written to moto's DynamoDB) against the Meta
 * simulator's Embedded Signup (code exchange, subscribed_apps, register, smb_app_data).
 */

jest.setTimeout(60_000);

const business = () => `fb-${randomBytes(4).toString('hex')}`;

describe('admin API: Connect with Facebook (moto + Meta simulator)', () => {
  let fx: AdminFixture;
  beforeAll(async () => {
    fx = await createAdminFixture({ metaApp: true });
  });
  afterAll(async () => fx?.close());

  it('exchanges a WhatsApp Business app number’s code once, stores a Meta connection with the business token and Echo’s app secret, and answers the same request again with it', async () => {
    // Prepare
    const businessId = business();
    const signup = fx.meta.simulator.completeSignup({ displayNumber: '+15550100081', coexistence: true });
    const body = { code: signup.code, phoneNumberId: signup.phoneNumberId, wabaId: signup.wabaId, coexistence: true };

    // Act
    const first = await fx.call({ route: 'embeddedSignup', businessId, body });
    const again = await fx.call({ route: 'embeddedSignup', businessId, body });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ provider: 'meta', onboarding: 'embedded-signup', coexistence: true, displayNumber: '+15550100081', setup: { ok: true } });
    expect(again.status).toBe(200);
    expect(again.body?.connectionId).toBe(first.body?.connectionId);
    const [onboarded] = fx.meta.simulator.onboarded();
    expect(onboarded).toMatchObject({ phoneNumberId: signup.phoneNumberId, subscribed: true, syncs: ['smb_app_state_sync', 'history'] });
    const item = (await fx.documents.send(new GetCommand({ TableName: fx.env.CONNECTIONS_TABLE, Key: { connectionId: first.body!.connectionId }, ConsistentRead: true }))).Item!;
    expect(item).toMatchObject({ businessId, provider: 'meta', providerNumberId: signup.phoneNumberId, providerAccountId: signup.wabaId, onboarding: 'embedded-signup', coexistence: true });
    const secret = JSON.parse((await fx.secrets.send(new GetSecretValueCommand({ SecretId: item.secretArn as string }))).SecretString!) as Record<string, string>;
    expect(secret).toEqual({ accessToken: onboarded!.accessToken, appSecret: LOCAL_META_APP.appSecret, verifyToken: LOCAL_META_APP.verifyToken });
    expect(first.raw).not.toContain(onboarded!.accessToken);
    expect(fx.logLines.join('\n')).not.toContain(signup.code);
    const audit = await fx.documents.send(
      new QueryCommand({ TableName: fx.env.AUDIT_TABLE, KeyConditionExpression: 'businessId = :b', ExpressionAttributeValues: { ':b': businessId }, ConsistentRead: true }),
    );
    expect((audit.Items ?? []).map((record) => [record.action, record.status])).toEqual([
      ['connection.embedded-signup', 201],
      ['connection.embedded-signup', 200],
    ]);
  });

  it('registers a new number, and refuses its number to another business before spending that business’s code', async () => {
    // Prepare
    const owner = business();
    const signup = fx.meta.simulator.completeSignup({ displayNumber: '+15550100082', coexistence: false });
    const rival = fx.meta.simulator.completeSignup({ displayNumber: '+15550100082', coexistence: false });

    // Act
    const created = await fx.call({ route: 'embeddedSignup', businessId: owner, body: { code: signup.code, phoneNumberId: signup.phoneNumberId, wabaId: signup.wabaId, coexistence: false } });
    const refused = await fx.call({ route: 'embeddedSignup', businessId: business(), body: { code: rival.code, phoneNumberId: rival.phoneNumberId, wabaId: rival.wabaId, coexistence: false } });
    const rivalCodeStillValid = await fetch(
      `${fx.meta.simulator.url}/v23.0/oauth/access_token?client_id=${LOCAL_META_APP.appId}&client_secret=${LOCAL_META_APP.appSecret}&code=${encodeURIComponent(rival.code)}`,
    );

    // Assess
    expect(created.status).toBe(201);
    expect(fx.meta.simulator.onboarded().find((entry) => entry.phoneNumberId === signup.phoneNumberId)).toMatchObject({ registered: true, pin: expect.stringMatching(/^\d{6}$/), syncs: [] });
    expect(refused.status).toBe(409);
    expect(refused.body?.type).toBe('https://echo.example/problems/number-in-use');
    expect(rivalCodeStillValid.status).toBe(200);
  });
});
