import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TemplatesCommandError,
  createTemplate,
  LIST_HEADER,
  listTemplates,
  loadTemplateFile,
  resolveTarget,
  syncTemplates,
  templateFileSchema,
} from '../../../scripts/templates';
import { fakeContext } from './support';

describe('templates/reengagement.json', () => {
  it('is a valid UTILITY template in es_MX whose body uses exactly its two sample variables', () => {
    // Act
    const template = loadTemplateFile('reengagement');

    // Assess
    expect(template).toEqual(
      expect.objectContaining({ name: 'reengagement', whatsappName: 'echo_reengagement', language: 'es_MX', category: 'UTILITY' }),
    );
    expect(Object.keys(template.variables)).toEqual(['1', '2']);
    const body = (template.types['twilio/text'] as { body: string }).body;
    expect(body).toContain('{{1}}');
    expect(body).toContain('{{2}}');
    // WhatsApp rejects templates that start or end with a variable.
    expect(body.trim().startsWith('{{')).toBe(false);
    expect(body.trim().endsWith('}}')).toBe(false);
  });
});

describe('template file schema', () => {
  const valid = {
    name: 'x',
    whatsappName: 'x',
    friendlyName: 'x',
    language: 'es_MX',
    category: 'UTILITY',
    variables: { '1': 'Ana' },
    types: { 'twilio/text': { body: 'Hola {{1}}, ¿cómo estás?' } },
  };

  it.each([
    ['a placeholder without a sample', { variables: {} }, /no sample value/],
    ['a sample that no body uses', { variables: { '1': 'Ana', '2': 'x' } }, /not used/],
    ['gaps in the numbering', { variables: { '2': 'Ana' }, types: { 'twilio/text': { body: 'Hola {{2}}.' } } }, /without gaps/],
    ['an unknown category', { category: 'PROMO' }, /category/],
    ['an upper-case WhatsApp name', { whatsappName: 'Echo' }, /whatsappName/],
  ])('refuses %s', (_case, override, message) => {
    // Act
    const parsed = templateFileSchema.safeParse({ ...valid, ...override });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toMatch(message);
  });

  it('reports a broken file with its path', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...valid, language: 'spanish' }));

    // Act / Assess
    expect(() => loadTemplateFile('broken', dir)).toThrow(/broken\.json is invalid: language/);
  });
});

describe('createTemplate', () => {
  const template = loadTemplateFile('reengagement');

  it('creates the content, records it as draft, submits it as UTILITY and records the status', async () => {
    // Prepare
    const { ctx, registry, contentApi } = fakeContext();

    // Act
    const created = await createTemplate(ctx, { connectionId: 'conn1', template });

    // Assess
    expect(contentApi.submitted).toEqual([{ sid: contentApi.created[0], name: 'echo_reengagement', category: 'UTILITY' }]);
    expect(registry.writes).toEqual(['put reengagement draft', 'status reengagement submitted']);
    expect(await registry.get('acme', 'reengagement', 'es_MX')).toEqual(
      expect.objectContaining({ providerTemplateId: created.providerTemplateId, approvalStatus: 'submitted', connectionId: 'conn1', variables: template.variables }),
    );
  });

  it('run twice, creates one content only', async () => {
    // Prepare
    const { ctx, contentApi } = fakeContext();

    // Act
    await createTemplate(ctx, { connectionId: 'conn1', template });
    await createTemplate(ctx, { connectionId: 'conn1', template });

    // Assess
    expect(contentApi.created).toHaveLength(1);
    expect(contentApi.submitted).toHaveLength(1);
  });

  it('submits again a content whose submission failed, instead of creating another', async () => {
    // Prepare
    const { ctx, contentApi, registry } = fakeContext();
    contentApi.submitFailure = new Error('Twilio 503');
    await expect(createTemplate(ctx, { connectionId: 'conn1', template })).rejects.toThrow('Twilio 503');
    contentApi.submitFailure = undefined;

    // Act
    await createTemplate(ctx, { connectionId: 'conn1', template });

    // Assess
    expect(contentApi.created).toHaveLength(1);
    expect(contentApi.submitted.map((s) => s.sid)).toEqual([contentApi.created[0]]);
    expect((await registry.get('acme', 'reengagement', 'es_MX'))?.approvalStatus).toBe('submitted');
  });

  it('refuses an unknown connection', async () => {
    const { ctx } = fakeContext();
    await expect(createTemplate(ctx, { connectionId: 'nope', template })).rejects.toBeInstanceOf(TemplatesCommandError);
  });
});

describe('syncTemplates', () => {
  it('updates the registry from the BSP approvals and reports what changed', async () => {
    // Prepare
    const { ctx, contentApi, registry } = fakeContext();
    const created = await createTemplate(ctx, { connectionId: 'conn1', template: loadTemplateFile('reengagement') });
    contentApi.approvals.set(created.providerTemplateId, { status: 'approved' });

    // Act
    const result = await syncTemplates(ctx, { businessId: 'acme' });

    // Assess
    expect(result.changed).toEqual([{ businessId: 'acme', name: 'reengagement', language: 'es_MX', from: 'submitted', to: 'approved' }]);
    expect((await registry.get('acme', 'reengagement', 'es_MX'))?.approvalStatus).toBe('approved');
  });
});

describe('listTemplates', () => {
  it('prints a header row, then one row per template under it', async () => {
    // Prepare
    const { ctx, lines } = fakeContext();
    const created = await createTemplate(ctx, { connectionId: 'conn1', template: loadTemplateFile('reengagement') });
    lines.length = 0;

    // Act
    await listTemplates(ctx, 'acme');

    // Assess
    expect(lines).toEqual([
      'name\tlanguage\tcategory\tstatus\tprovider template id\tconnection\tupdated',
      `reengagement\tes_MX\tUTILITY\tsubmitted\t${created.providerTemplateId}\tconn1\t${created.updatedAt}`,
    ]);
    expect(lines[1]?.split('\t')).toHaveLength(LIST_HEADER.split('\t').length);
  });

  it('says so when the business has no template, without a header', async () => {
    const { ctx, lines } = fakeContext();
    await listTemplates(ctx, 'acme');
    expect(lines).toEqual(['no templates for business acme']);
  });
});

describe('resolveTarget', () => {
  it('uses flags, then the environment, in AWS', () => {
    expect(resolveTarget({ aws: true, 'templates-table': 'T' }, { CONNECTIONS_TABLE: 'C', AWS_REGION: 'eu-west-1' })).toEqual({
      mode: 'aws',
      region: 'eu-west-1',
      tables: { templates: 'T', connections: 'C' },
      contentBaseUrl: 'https://content.twilio.com',
      metaBaseUrl: 'https://graph.facebook.com',
      dialog360BaseUrl: 'https://waba-v2.360dialog.io',
    });
    expect(resolveTarget({ aws: true, 'templates-table': 'T', 'meta-base-url': 'http://meta.test' }, { CONNECTIONS_TABLE: 'C', DIALOG360_BASE_URL: 'http://d360.test' })).toMatchObject({
      metaBaseUrl: 'http://meta.test',
      dialog360BaseUrl: 'http://d360.test',
    });
  });

  it('reads the local runtime file: moto, the tables and the BSP simulators', () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'runtime-')), 'runtime.json');
    writeFileSync(
      file,
      JSON.stringify({
        motoEndpoint: 'http://127.0.0.1:5005',
        region: 'us-east-1',
        webhookEnv: { CONNECTIONS_TABLE: 'local-connections' },
        tables: { TemplatesTableABC123: { logicalId: 'TemplatesTableABC123', name: 'local-templates' } },
        twilio: { mode: 'simulator', simulatorUrl: 'http://127.0.0.1:4010' },
        simulators: { twilio: 'http://127.0.0.1:4010', meta: 'http://127.0.0.1:4011', dialog360: 'http://127.0.0.1:4012' },
      }),
    );

    // Act
    const target = resolveTarget({ 'state-file': file }, {});

    // Assess
    expect(target).toEqual({
      mode: 'local',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5005',
      tables: { templates: 'local-templates', connections: 'local-connections' },
      contentBaseUrl: 'http://127.0.0.1:4010',
      metaBaseUrl: 'http://127.0.0.1:4011',
      dialog360BaseUrl: 'http://127.0.0.1:4012',
    });
  });

  it('says what to do without a runtime file or table names', () => {
    expect(() => resolveTarget({ 'state-file': '/nonexistent/runtime.json' }, {})).toThrow(/npm run dev/);
    expect(() => resolveTarget({ aws: true }, {})).toThrow(/--templates-table/);
  });
});
