import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAdminDeps } from '../../../lambdas/handlers/admin/deps';
import { loadAdminEnv } from '../../../lambdas/handlers/admin/env';
import { ADMIN_ROUTE_KEYS, createAdminHandler, type AdminDeps } from '../../../lambdas/handlers/admin/handler';
import { LOCAL_META_APP, seedMetaAppSecret } from '../../../local/meta-app';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates, type ProvisionedResources } from '../../../local/resources';
import { startTwilioSimulator, type TwilioSimulator } from '../../../local/twilio-simulator';
import {
  startDialog360Simulator,
  startMetaSimulator,
  type Dialog360Account,
  type Dialog360Simulator,
  type MetaAccount,
  type MetaSimulator,
} from '../../../local/cloud-api-simulator';
import type { SynthesizedTemplates } from '../../../local/synth';
import { synthesizedTemplates } from '../../support/templates';
import { captureProcessOutput } from '../../support/capture-output';

/** One Twilio account of the simulator, with the WhatsApp number it owns. */
export interface SimulatedAccount {
  accountSid: string;
  authToken: string;
  number: string;
}

export interface AdminFixture {
  resources: ProvisionedResources;
  env: Record<string, string>;
  deps: AdminDeps;
  simulator: TwilioSimulator;
  /** Meta's Graph API simulator (`META_GRAPH_BASE_URL`) with one number. */
  meta: { simulator: MetaSimulator; account: MetaAccount };
  /** 360dialog's simulator (`DIALOG360_BASE_URL`) with one number; webhooks not registered yet. */
  dialog360: { simulator: Dialog360Simulator; account: Dialog360Account };
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  secrets: SecretsManagerClient;
  kmsKeyId: string;
  /** Log lines the handler wrote while the fixture was alive. */
  logLines: string[];
  account(): SimulatedAccount;
  /** Every simulated account (to look for their tokens where none may appear). */
  accounts: readonly SimulatedAccount[];
  /** Calls the real handler with an API Gateway v2 event carrying JWT claims (`null`: no authorizer). */
  call(request: AdminRequest): Promise<AdminResponse>;
  close(): Promise<void>;
}

export interface AdminRequest {
  route: keyof typeof ADMIN_ROUTE_KEYS;
  /** The path's business. */
  businessId: string;
  /** The token's business (default: the path's); `null` sends no authorizer context. */
  as?: string | null;
  conversationId?: string;
  body?: unknown;
  query?: Record<string, string>;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string | number | boolean>;
  body: Record<string, unknown> | undefined;
  raw: string;
}

const SUFFIX: Record<keyof typeof ADMIN_ROUTE_KEYS, string> = {
  getConnection: '/connection',
  putConnection: '/connection',
  deleteConnection: '/connection',
  testConnection: '/connection/test',
  listConversations: '/conversations',
  listMessages: '/conversations/{conversationId}/messages',
  postMessage: '/conversations/{conversationId}/messages',
  listTemplates: '/templates',
  createReengagement: '/templates/reengagement',
  embeddedSignup: '/connection/embedded-signup',
  pauseConversation: '/conversations/{conversationId}/pause',
  resumeConversation: '/conversations/{conversationId}/resume',
  putHandoff: '/connection/handoff',
};

/** Accounts the simulator knows; each owns one WhatsApp number. */
const ACCOUNT_COUNT = 10;

/**
 * The stack's tables, queues and bus provisioned in the shared moto server from the synthesized
 * templates (unique prefix), a real KMS key in moto for the secrets, a Twilio simulator with a
 * few accounts, and the real admin handler built by `createAdminDeps` from the admin function's
 * resolved environment.
 */
export async function createAdminFixture(options: {
  /** Echo's Meta app ("Connect with Facebook"): the simulator gets `LOCAL_META_APP`, moto its secret, the handler its id and ARN. */
  metaApp?: boolean;
} = {}): Promise<AdminFixture> {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run integration tests through jest --selectProjects integration');
  Object.assign(process.env, motoClientEnv(endpoint));
  const { stateful, stateless } = cachedTemplates();
  const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });

  const kmsKeyId = await createMotoKmsKey(endpoint);

  const accounts: SimulatedAccount[] = Array.from({ length: ACCOUNT_COUNT }, (_, i) => ({
    accountSid: `AC${randomBytes(16).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
    number: `+52155${String(10_000_000 + Math.floor(Math.random() * 80_000_000) + i)}`.slice(0, 14),
  }));
  const simulator = await startTwilioSimulator({
    accounts: Object.fromEntries(accounts.map((a) => [a.accountSid, a.authToken])),
    whatsappSenders: Object.fromEntries(accounts.map((a) => [a.accountSid, [a.number]])),
    callbackDelaysMs: { sent: 60_000, delivered: 60_000, read: 60_000 },
  });

  const metaAccount: MetaAccount = {
    phoneNumberId: String(100_000_000_000_000 + randomBytes(4).readUInt32BE()),
    wabaId: String(200_000_000_000_000 + randomBytes(4).readUInt32BE()),
    displayNumber: '+15550100001',
    accessToken: `EAAG${randomBytes(60).toString('base64url')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifiedName: 'Acme Tacos',
    qualityRating: 'GREEN',
  };
  const dialogAccount: Dialog360Account = { apiKey: `${randomBytes(18).toString('base64url')}_AK`, displayNumber: '+5215587650000' };
  const meta = await startMetaSimulator({
    accounts: [metaAccount],
    ...(options.metaApp && {
      app: { appId: LOCAL_META_APP.appId, appSecret: LOCAL_META_APP.appSecret, configId: LOCAL_META_APP.embeddedSignupConfigId, webhookUrl: 'https://hooks.example.com/webhook/whatsapp/meta' },
    }),
  });
  const secretPrefix = `echo-admin-test-${randomBytes(3).toString('hex')}`;
  const metaAppSecretArn = options.metaApp ? await seedMetaAppSecret({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', secretPrefix }) : undefined;
  const dialog360 = await startDialog360Simulator({ accounts: [dialogAccount] });

  const env: Record<string, string> = {
    ...resources.functionEnv.admin,
    SECRETS_KMS_KEY_ID: kmsKeyId,
    SECRET_NAME_PREFIX: secretPrefix,
    ...(metaAppSecretArn && { META_APP_ID: LOCAL_META_APP.appId, META_APP_SECRET_ARN: metaAppSecretArn }),
    WEBHOOK_BASE_URL: 'https://hooks.example.com',
    TWILIO_API_BASE_URL: simulator.url,
    TWILIO_CONTENT_BASE_URL: simulator.url,
    META_GRAPH_BASE_URL: meta.url,
    DIALOG360_BASE_URL: dialog360.url,
    SECRETS_CACHE_TTL_SECONDS: '0',
  };

  const output = captureProcessOutput();
  const logLines = output.lines;

  const deps = createAdminDeps(loadAdminEnv(env));
  const handler = createAdminHandler(deps);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({});
  const secrets = new SecretsManagerClient({});
  let nextAccount = 0;

  return {
    resources,
    env,
    deps,
    simulator,
    meta: { simulator: meta, account: metaAccount },
    dialog360: { simulator: dialog360, account: dialogAccount },
    documents,
    sqs,
    secrets,
    kmsKeyId,
    logLines,
    accounts,
    account() {
      const account = accounts[nextAccount++];
      if (!account) throw new Error(`the fixture has only ${ACCOUNT_COUNT} simulated accounts`);
      return account;
    },
    async call(request) {
      const conversationId = request.conversationId ?? 'cv_00000000000000000000000000';
      const template = `/businesses/{businessId}/whatsapp${SUFFIX[request.route]}`;
      const path = template.replace('{businessId}', request.businessId).replace('{conversationId}', conversationId);
      const routeKey = ADMIN_ROUTE_KEYS[request.route];
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const as = request.as === undefined ? request.businessId : request.as;
      const event = {
        version: '2.0',
        routeKey,
        rawPath: path,
        rawQueryString: request.query ? new URLSearchParams(request.query).toString() : '',
        headers: { host: 'admin.example.com', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(request.query && { queryStringParameters: request.query }),
        pathParameters: { businessId: request.businessId, ...(template.includes('{conversationId}') && { conversationId }) },
        requestContext: {
          accountId: '123456789012',
          apiId: 'admin',
          domainName: 'admin.example.com',
          domainPrefix: 'admin',
          http: { method: routeKey.split(' ')[0], path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
          requestId: `req-${randomBytes(6).toString('hex')}`,
          routeKey,
          stage: '$default',
          time: '27/Nov/2026:10:00:00 +0000',
          timeEpoch: Date.now(),
          ...(as !== null && {
            authorizer: {
              jwt: {
                claims: { sub: `user-of-${as}`, 'custom:business_id': as, iss: 'https://issuer.example', aud: 'echo-admin', exp: String(Math.floor(Date.now() / 1000) + 3600) },
                scopes: null,
              },
            },
          }),
        },
        ...(body !== undefined && { body }),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      const response = (await handler(event)) as APIGatewayProxyStructuredResultV2;
      const raw = response.body ?? '';
      return { status: response.statusCode ?? 0, headers: response.headers ?? {}, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined, raw };
    },
    async close() {
      output.restore();
      await Promise.all([simulator.stop(), meta.stop(), dialog360.stop()]);
      documents.destroy();
      sqs.destroy();
      secrets.destroy();
    },
  };
}

/** The body of a `PUT connection` for a simulated account. */
export function putBodyFor(account: SimulatedAccount, overrides: Partial<{ authToken: string; messagingServiceSid: string }> = {}) {
  return {
    provider: 'twilio',
    twilio: { accountSid: account.accountSid, authToken: account.authToken, whatsappNumber: account.number, ...overrides },
  };
}

/**
 * A customer managed key in moto, for `SECRETS_KMS_KEY_ID` (the provisioner does not emulate the
 * stack's key). KMS's JSON protocol by hand: moto does not check signatures, and the project has no
 * KMS client dependency.
 */
async function createMotoKmsKey(endpoint: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.CreateKey',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261127/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Description: 'admin integration test' }),
  });
  if (!response.ok) throw new Error(`moto CreateKey failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { KeyMetadata: { Arn: string } };
  return body.KeyMetadata.Arn;
}

const ROOT = resolve(__dirname, '..', '..', '..');

/** Every file the synthesized templates depend on, hashed: a change anywhere means a new synthesis. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|json)$/.test(name)) hash.update(path).update(readFileSync(path));
    }
  };
  for (const dir of ['lib', 'bin', 'lambdas']) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  for (const file of ['cdk.json', 'package.json', 'local/synth.ts']) hash.update(file).update(readFileSync(join(ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The synthesized templates, cached on disk by a hash of their sources: synthesis takes 10–15 s,
 * and both admin integration files need the same templates.
 */
function cachedTemplates(): SynthesizedTemplates {
  const file = join(tmpdir(), `echo-admin-it-templates-${sourceHash()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SynthesizedTemplates;
  const templates = synthesizedTemplates();
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(templates));
  renameSync(partial, file);
  return templates;
}
