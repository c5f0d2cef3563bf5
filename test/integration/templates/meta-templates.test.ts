import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTemplateRegistry } from '../../../lambdas/adapters/dynamodb-template-registry';
import { createTemplateSyncDeps } from '../../../lambdas/handlers/template-sync/deps';
import { loadTemplateSyncEnv } from '../../../lambdas/handlers/template-sync/env';
import { createTemplateSyncHandler } from '../../../lambdas/handlers/template-sync/handler';
import { startMetaSimulator, type MetaSimulator } from '../../../local/cloud-api-simulator';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates } from '../../../local/resources';
import { main } from '../../../scripts/templates';
import { silentPowertools } from '../../support/fakes';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(60_000);

const APPROVAL_DELAY_MS = 1_500;

/**
 * Templates of a Meta connection, end to end: `npm run templates` and the template-sync Lambda
 * against moto and the local Meta Graph simulator, through the same template port as production.
 */
describe('npm run templates for a Meta connection, against moto and the Meta simulator', () => {
  let meta: MetaSimulator;
  let env: Record<string, string>;
  let documents: DynamoDBDocumentClient;
  let secrets: SecretsManagerClient;
  let registry: DynamoDbTemplateRegistry;
  const suffix = randomBytes(4).toString('hex');
  const connectionId = `connmeta${suffix}`;
  const businessId = `bizmeta${suffix}`;
  const wabaId = `2${String(Date.now()).slice(-9)}00001`;
  const phoneNumberId = `1${String(Date.now()).slice(-9)}00001`;
  const accessToken = `EAA${randomBytes(24).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT as string;
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    env = resources.functionEnv['template-sync'] as Record<string, string>;
    meta = await startMetaSimulator({
      accounts: [{ phoneNumberId, wabaId, displayNumber: '+15550100042', accessToken, appSecret }],
      templateApprovalDelayMs: APPROVAL_DELAY_MS,
    });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    secrets = new SecretsManagerClient({});
    const secret = await secrets.send(
      new CreateSecretCommand({ Name: `echo-whatsapp/connections/${connectionId}`, SecretString: JSON.stringify({ accessToken, appSecret, verifyToken: 'vt_test' }) }),
    );
    await documents.send(
      new PutCommand({
        TableName: env.CONNECTIONS_TABLE,
        Item: {
          connectionId,
          businessId,
          provider: 'meta',
          status: 'active',
          displayNumber: '+15550100042',
          providerNumberId: phoneNumberId,
          providerAccountId: wabaId,
          secretArn: secret.ARN,
        },
      }),
    );
    registry = new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE as string);
  });
  afterAll(async () => {
    await meta?.stop();
    documents?.destroy();
    secrets?.destroy();
  });

  function run(...args: string[]) {
    const lines: string[] = [];
    const flags = ['--aws', '--templates-table', env.TEMPLATES_TABLE as string, '--connections-table', env.CONNECTIONS_TABLE as string, '--meta-base-url', meta.url];
    return main([...args, ...flags], (line) => void lines.push(line)).then((code) => ({ code, lines }));
  }

  it("create → one template in the connection's WABA (BODY with examples), recorded by its name; sync follows WhatsApp's approval", async () => {
    // Act
    const created = await run('create', '--connection', connectionId);
    const again = await run('create', '--connection', connectionId);
    const pending = await run('sync', '--business', businessId);
    await new Promise((resolve) => setTimeout(resolve, APPROVAL_DELAY_MS + 200));
    const synced = await run('sync', '--business', businessId);

    // Assess
    expect(created.code).toBe(0);
    const templates = meta.templates();
    expect(templates).toHaveLength(1);
    expect(templates[0]).toEqual(
      expect.objectContaining({
        wabaId,
        name: 'echo_reengagement',
        language: 'es_MX',
        category: 'UTILITY',
        components: [
          expect.objectContaining({ type: 'BODY', text: expect.stringContaining('Hola {{1}}'), example: { body_text: [['Ana', 'Panadería La Espiga']] } }),
        ],
      }),
    );
    expect(again.lines.join('\n')).toMatch(/already exists \(echo_reengagement, pending\)/);
    expect(pending.lines.join('\n')).toMatch(/0 changed, 0 failed/);
    expect(synced.lines.join('\n')).toMatch(/pending → approved/);
    expect(await registry.get(businessId, 'reengagement', 'es_MX')).toEqual(
      expect.objectContaining({ providerTemplateId: 'echo_reengagement', approvalStatus: 'approved', connectionId }),
    );
  });

  it('a lost registry item is recovered from the WABA instead of failing on the duplicate name', async () => {
    // Prepare
    await documents.send(new DeleteCommand({ TableName: env.TEMPLATES_TABLE, Key: { businessId, templateKey: 'reengagement#es_MX' } }));
    expect(await registry.get(businessId, 'reengagement', 'es_MX')).toBeUndefined();

    // Act
    const recreated = await run('create', '--connection', connectionId);

    // Assess
    expect(recreated.code).toBe(0);
    expect(recreated.lines.join('\n')).toMatch(/already exists in Meta WhatsApp Cloud API as "echo_reengagement" \(approved\): recorded it/);
    expect(meta.templates()).toHaveLength(1);
    expect((await registry.get(businessId, 'reengagement', 'es_MX'))?.approvalStatus).toBe('approved');
  });

  it('the template-sync Lambda reads the Meta connection with META_GRAPH_BASE_URL, one list for the connection', async () => {
    // Prepare
    meta.reviewTemplate(undefined, { name: 'echo_reengagement', language: 'es_MX', status: 'REJECTED', reason: 'INVALID_FORMAT' });
    const deps = { ...createTemplateSyncDeps(loadTemplateSyncEnv({ ...env, META_GRAPH_BASE_URL: meta.url })), ...silentPowertools() };
    const handler = createTemplateSyncHandler(deps);

    // Act
    const result = await handler();

    // Assess
    expect(result.failed).toBe(0);
    expect(result.changed).toContainEqual({ businessId, name: 'reengagement', language: 'es_MX', from: 'approved', to: 'rejected', reason: 'INVALID_FORMAT' });
    expect((await registry.get(businessId, 'reengagement', 'es_MX'))?.rejectionReason).toBe('INVALID_FORMAT');
  });
});
