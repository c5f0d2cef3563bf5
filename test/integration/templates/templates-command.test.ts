import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTemplateBusinesses } from '../../../lambdas/adapters/dynamodb-template-businesses';
import { DynamoDbTemplateRegistry } from '../../../lambdas/adapters/dynamodb-template-registry';
import { createTemplateSyncDeps } from '../../../lambdas/handlers/template-sync/deps';
import { loadTemplateSyncEnv } from '../../../lambdas/handlers/template-sync/env';
import { createTemplateSyncHandler } from '../../../lambdas/handlers/template-sync/handler';
import { motoClientEnv } from '../../../local/moto';
import { provisionFromTemplates } from '../../../local/resources';
import { seedDemo } from '../../../local/seed';
import { startTwilioSimulator, type TwilioSimulator } from '../../../local/twilio-simulator';
import { main } from '../../../scripts/templates';
import { silentPowertools } from '../../support/fakes';
import { synthesizedTemplates } from '../../support/templates';

jest.setTimeout(60_000);

const APPROVAL_DELAY_MS = 1_500;

describe('npm run templates against moto and the Twilio simulator', () => {
  let simulator: TwilioSimulator;
  let env: Record<string, string>;
  let documents: DynamoDBDocumentClient;
  let registry: DynamoDbTemplateRegistry;
  const suffix = randomBytes(4).toString('hex');
  const connectionId = `conn${suffix}`;
  const businessId = `biz${suffix}`;
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');

  beforeAll(async () => {
    const endpoint = process.env.MOTO_ENDPOINT as string;
    Object.assign(process.env, motoClientEnv(endpoint));
    const { stateful, stateless } = synthesizedTemplates();
    const resources = await provisionFromTemplates({ stateful, stateless, endpoint, uniqueSuffix: true });
    env = resources.functionEnv['template-sync'] as Record<string, string>;
    await seedDemo({
      endpoint,
      region: resources.region,
      connectionsTable: env.CONNECTIONS_TABLE as string,
      accountSid,
      authToken,
      whatsappNumber: '+14155238886',
      secretPrefix: 'echo-whatsapp',
      connectionId,
      businessId,
    });
    simulator = await startTwilioSimulator({ accounts: { [accountSid]: authToken }, approvalDelayMs: APPROVAL_DELAY_MS });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    registry = new DynamoDbTemplateRegistry(documents, env.TEMPLATES_TABLE as string);
  });
  afterAll(async () => {
    await simulator?.stop();
    documents?.destroy();
  });

  function run(...args: string[]) {
    const lines: string[] = [];
    const flags = ['--aws', '--templates-table', env.TEMPLATES_TABLE as string, '--connections-table', env.CONNECTIONS_TABLE as string, '--content-base-url', simulator.url];
    return main([...args, ...flags], (line) => void lines.push(line)).then((code) => ({ code, lines }));
  }

  it('create → the content exists in Twilio, is submitted as UTILITY, and the registry holds it; sync follows the approval', async () => {
    // Act
    const created = await run('create', '--connection', connectionId);
    const again = await run('create', '--connection', connectionId);
    const pending = await run('sync', '--business', businessId);
    await new Promise((resolve) => setTimeout(resolve, APPROVAL_DELAY_MS + 200));
    const synced = await run('sync', '--business', businessId);
    const listed = await run('list', '--business', businessId);

    // Assess
    expect(created.code).toBe(0);
    const contents = simulator.contents();
    expect(contents).toHaveLength(1);
    expect(contents[0]).toEqual(
      expect.objectContaining({
        accountSid,
        language: 'es_MX',
        friendlyName: 'echo_reengagement_es_mx',
        variables: { '1': 'Ana', '2': 'Panadería La Espiga' },
        contentTypes: ['twilio/text'],
      }),
    );
    expect(contents[0]?.approval).toEqual(expect.objectContaining({ name: 'echo_reengagement', category: 'UTILITY' }));
    expect(again.code).toBe(0);
    expect(again.lines.join('\n')).toMatch(/already exists/);
    expect(pending.lines.join('\n')).toMatch(/submitted → pending/);
    expect(synced.lines.join('\n')).toMatch(/pending → approved/);
    expect(await registry.get(businessId, 'reengagement', 'es_MX')).toEqual(
      expect.objectContaining({ providerTemplateId: contents[0]?.sid, category: 'UTILITY', approvalStatus: 'approved', connectionId }),
    );
    expect(listed.lines.some((line) => line.startsWith('reengagement\tes_MX\tUTILITY\tapproved'))).toBe(true);
  });

  it('the template-sync Lambda finds the business by its templates and keeps statuses that did not change', async () => {
    // Prepare
    const businesses = await new DynamoDbTemplateBusinesses(documents, env.TEMPLATES_TABLE as string).list();
    const deps = { ...createTemplateSyncDeps(loadTemplateSyncEnv({ ...env, TWILIO_CONTENT_BASE_URL: simulator.url })), ...silentPowertools() };
    const handler = createTemplateSyncHandler(deps);

    // Act
    const result = await handler();

    // Assess
    expect(businesses).toContain(businessId);
    expect(result.failed).toBe(0);
    expect(result.checked).toBeGreaterThanOrEqual(1);
    expect(result.changed).toEqual([]);
    expect((await registry.get(businessId, 'reengagement', 'es_MX'))?.approvalStatus).toBe('approved');
  });

  it('create for an unknown connection fails with a clear message', async () => {
    await expect(run('create', '--connection', 'nope')).rejects.toThrow('connection nope not found');
  });
});
