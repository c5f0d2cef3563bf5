/**
 * Creating and syncing templates through the template port, per provider, with in-memory BSPs:
 * Twilio's draft-then-submit and Cloud API's one-call create must both stay idempotent, and a sync
 * must read a Cloud API account once per connection per run.
 */
import type { Connection } from '../../../lambdas/domain/connection';
import { BspApprovalReader, syncTemplateApprovals } from '../../../lambdas/domain/template-approval';
import type { TemplateBsps } from '../../../lambdas/domain/template-bsp';
import { createAndSubmitTemplate, UnsupportedTemplateProviderError, type TemplateCreationDeps } from '../../../lambdas/domain/template-creation';
import type { TemplateDefinition } from '../../../lambdas/domain/templates';
import { TwilioTemplateBsp } from '../../../lambdas/providers/whatsapp/twilio/templates';
import { loadTemplateFile } from '../../../scripts/templates';
import { CONNECTION, DIALOG360_CONNECTION, FakeContentApi, META_CONNECTION, MemoryRegistry, fakeCloudBsp } from './support';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const reengagement = loadTemplateFile('reengagement');
const CONNECTIONS = [CONNECTION, META_CONNECTION, DIALOG360_CONNECTION];

function harness() {
  const registry = new MemoryRegistry();
  const contentApi = new FakeContentApi();
  const meta = fakeCloudBsp('meta');
  const dialog360 = fakeCloudBsp('360dialog');
  dialog360.client.createdStatus = 'submitted';
  const bsps: TemplateBsps = { twilio: new TwilioTemplateBsp(contentApi), meta: meta.bsp, '360dialog': dialog360.bsp };
  const lines: string[] = [];
  const credentialsRead: string[] = [];
  const deps: TemplateCreationDeps = {
    registry,
    credentials: { get: async (secretId) => (credentialsRead.push(secretId), { opaque: secretId }) },
    bsps,
    now: () => NOW,
    log: (line) => void lines.push(line),
  };
  const reader = new BspApprovalReader({
    connections: { get: async (id) => CONNECTIONS.find((c) => c.connectionId === id) },
    credentials: deps.credentials,
    bsps,
  });
  return { registry, contentApi, meta: meta.client, dialog360: dialog360.client, deps, reader, lines, credentialsRead };
}

function registryTemplate(connection: Connection, name: string, providerTemplateId: string, approvalStatus: TemplateDefinition['approvalStatus'] = 'submitted'): TemplateDefinition {
  return {
    businessId: connection.businessId,
    name,
    language: 'es_MX',
    providerTemplateId,
    category: 'UTILITY',
    approvalStatus,
    variables: {},
    connectionId: connection.connectionId,
    updatedAt: '2026-11-25T00:00:00.000Z',
  };
}

describe('createAndSubmitTemplate through the port', () => {
  it('Twilio: records the content as a draft, then submits it (two calls, two writes)', async () => {
    // Prepare
    const h = harness();

    // Act
    const created = await createAndSubmitTemplate(h.deps, { connection: CONNECTION, template: reengagement });

    // Assess
    expect(created).toEqual(expect.objectContaining({ providerTemplateId: h.contentApi.created[0], approvalStatus: 'submitted' }));
    expect(h.contentApi.submitted).toEqual([{ sid: h.contentApi.created[0], name: 'echo_reengagement', category: 'UTILITY' }]);
    expect(h.registry.writes).toEqual(['put reengagement draft', 'status reengagement submitted']);
    expect(h.meta.creates).toEqual([]);
  });

  it("Meta: one call creates and submits in the connection's WABA; one write, no draft; run again, nothing new", async () => {
    // Prepare
    const h = harness();

    // Act
    const created = await createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement });
    const again = await createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement });

    // Assess
    expect(created).toEqual(
      expect.objectContaining({ name: 'reengagement', providerTemplateId: 'echo_reengagement', approvalStatus: 'pending', connectionId: META_CONNECTION.connectionId }),
    );
    expect(again).toEqual(created);
    expect(h.meta.creates).toEqual([{ template: expect.objectContaining({ name: 'echo_reengagement', language: 'es_MX', category: 'UTILITY' }), wabaId: META_CONNECTION.providerAccountId }]);
    expect(h.registry.writes).toEqual(['put reengagement pending']);
    expect(h.credentialsRead).toEqual([META_CONNECTION.secretArn]);
    expect(h.contentApi.created).toEqual([]);
  });

  it('Meta: when the registry write was lost after the BSP created it, the next run records the existing template instead of failing', async () => {
    // Prepare
    const h = harness();
    const put = h.registry.put.bind(h.registry);
    h.registry.put = async () => {
      throw new Error('DynamoDB unavailable');
    };
    await expect(createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement })).rejects.toThrow('DynamoDB unavailable');
    h.registry.put = put;
    h.meta.review('echo_reengagement', 'APPROVED');

    // Act
    const recorded = await createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement });

    // Assess
    expect(h.meta.creates).toHaveLength(1);
    expect(recorded.approvalStatus).toBe('approved');
    expect((await h.registry.get('acme', 'reengagement', 'es_MX'))?.providerTemplateId).toBe('echo_reengagement');
    expect(h.lines.join('\n')).toMatch(/already exists in Meta WhatsApp Cloud API as "echo_reengagement" \(approved\): recorded it/);
  });

  it('Meta: a rejected template is answered again, with the advice to edit it or rename it, not created twice', async () => {
    // Prepare
    const h = harness();
    await createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement });
    h.meta.review('echo_reengagement', 'REJECTED', 'INVALID_FORMAT');
    await h.registry.setApprovalStatus('acme', 'reengagement', 'es_MX', 'rejected', 'INVALID_FORMAT');

    // Act
    const again = await createAndSubmitTemplate(h.deps, { connection: META_CONNECTION, template: reengagement });

    // Assess
    expect(again).toEqual(expect.objectContaining({ approvalStatus: 'rejected', rejectionReason: 'INVALID_FORMAT' }));
    expect(h.meta.creates).toHaveLength(1);
    expect(h.lines.join('\n')).toMatch(/edit "echo_reengagement" in WhatsApp Manager, or give the file a new whatsappName/);
  });

  it('360dialog: created and submitted with the number’s key (no account id), as submitted', async () => {
    // Prepare
    const h = harness();

    // Act
    const created = await createAndSubmitTemplate(h.deps, { connection: DIALOG360_CONNECTION, template: reengagement });

    // Assess
    expect(created).toEqual(expect.objectContaining({ businessId: 'beta', providerTemplateId: 'echo_reengagement', approvalStatus: 'submitted' }));
    expect(h.dialog360.creates).toEqual([{ template: expect.objectContaining({ name: 'echo_reengagement' }) }]);
    expect(h.registry.writes).toEqual(['put reengagement submitted']);
  });

  it('refuses a provider the deployment has no port for, before reading anything', async () => {
    // Prepare
    const h = harness();

    // Act
    const refusal = createAndSubmitTemplate({ ...h.deps, bsps: { twilio: h.deps.bsps.twilio } }, { connection: META_CONNECTION, template: reengagement });

    // Assess
    await expect(refusal).rejects.toBeInstanceOf(UnsupportedTemplateProviderError);
    expect(h.credentialsRead).toEqual([]);
    expect(h.registry.writes).toEqual([]);
  });
});

describe('syncTemplateApprovals through the port', () => {
  it("reads each Cloud API connection's list once per run (not per template), Twilio per Content SID, and maps Meta's statuses", async () => {
    // Prepare
    const h = harness();
    await h.registry.put(registryTemplate(CONNECTION, 'twilio_one', 'HXtwilio'));
    for (const name of ['promo', 'welcome', 'reminder', 'gone']) await h.registry.put(registryTemplate(META_CONNECTION, name, `echo_${name}`, 'approved'));
    await h.registry.put(registryTemplate(DIALOG360_CONNECTION, 'hola', 'echo_hola'));
    h.registry.writes.length = 0;
    h.contentApi.approvals.set('HXtwilio', { status: 'approved' });
    h.meta.items.push(
      { name: 'echo_promo', language: 'es_MX', status: 'PAUSED' },
      { name: 'echo_welcome', language: 'es_MX', status: 'DISABLED' },
      { name: 'echo_reminder', language: 'es_MX', status: 'APPROVED' },
    );
    h.dialog360.items.push({ name: 'echo_hola', language: 'es_MX', status: 'approved' });

    // Act
    const first = await syncTemplateApprovals(['acme', 'beta'], { registry: h.registry, approvals: h.reader, now: () => NOW });
    const second = await syncTemplateApprovals(['acme', 'beta'], { registry: h.registry, approvals: h.reader, now: () => NOW });

    // Assess
    expect(first.failed).toBe(0);
    expect(first.checked).toBe(6);
    expect(first.changed.map(({ name, from, to, reason }) => ({ name, from, to, reason })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'gone', from: 'approved', to: 'rejected', reason: 'echo_gone (es_MX) is no longer in the WhatsApp Business Account' },
      { name: 'hola', from: 'submitted', to: 'approved', reason: undefined },
      { name: 'promo', from: 'approved', to: 'pending', reason: 'paused by WhatsApp' },
      { name: 'twilio_one', from: 'submitted', to: 'approved', reason: undefined },
      { name: 'welcome', from: 'approved', to: 'rejected', reason: 'disabled by WhatsApp' },
    ]);
    // One list per Cloud API connection per run: the second run lists again (nothing kept across runs).
    expect(h.meta.readsOf).toEqual([META_CONNECTION.providerAccountId, META_CONNECTION.providerAccountId]);
    expect(h.dialog360.reads).toBe(2);
    // The second run re-reads what is still synced (paused → still pending; rejected ones are final).
    expect(second.checked).toBe(4);
    expect(second.changed).toEqual([]);
  });

  it('fails only the templates of a connection whose list failed, once, and goes on with the others', async () => {
    // Prepare
    const h = harness();
    for (const name of ['a', 'b']) await h.registry.put(registryTemplate(META_CONNECTION, name, `echo_${name}`));
    await h.registry.put(registryTemplate(CONNECTION, 'c', 'HXc'));
    h.contentApi.approvals.set('HXc', { status: 'approved' });
    h.meta.listFailure = new Error('Graph 500');
    const failed: string[] = [];

    // Act
    const result = await syncTemplateApprovals(['acme'], { registry: h.registry, approvals: h.reader, onTemplateFailed: (d) => void failed.push(d.name) });

    // Assess
    expect(result).toMatchObject({ checked: 1, failed: 2 });
    expect(failed.sort()).toEqual(['a', 'b']);
    expect(h.meta.reads).toBe(1);
    expect((await h.registry.get('acme', 'c', 'es_MX'))?.approvalStatus).toBe('approved');
  });

  it('leaves a template alone when the account list was cut short (it may still exist)', async () => {
    // Prepare
    const h = harness();
    await h.registry.put(registryTemplate(META_CONNECTION, 'a', 'echo_a', 'approved'));
    h.meta.incomplete = true;

    // Act
    const result = await syncTemplateApprovals(['acme'], { registry: h.registry, approvals: h.reader });

    // Assess
    expect(result).toMatchObject({ checked: 0, failed: 1, changed: [] });
    expect((await h.registry.get('acme', 'a', 'es_MX'))?.approvalStatus).toBe('approved');
  });
});
