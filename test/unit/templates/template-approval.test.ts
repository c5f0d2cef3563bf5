import { needsScheduledSync, registryStatusOf, syncTemplateApprovals } from '../../../lambdas/domain/template-approval';
import type { TemplateDefinition } from '../../../lambdas/domain/templates';
import { loadTemplateSyncEnv } from '../../../lambdas/handlers/template-sync/env';
import { createTemplateSyncHandler } from '../../../lambdas/handlers/template-sync/handler';
import { silentPowertools } from '../../support/fakes';
import { MemoryRegistry } from './support';

function template(name: string, approvalStatus: TemplateDefinition['approvalStatus'], businessId = 'acme'): TemplateDefinition {
  return {
    businessId,
    name,
    language: 'es_MX',
    providerTemplateId: `HX${name}`,
    category: 'UTILITY',
    approvalStatus,
    variables: {},
    connectionId: 'conn1',
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
}

describe('registryStatusOf', () => {
  it.each([
    ['approved', undefined, { status: 'approved' }],
    ['APPROVED', undefined, { status: 'approved' }],
    ['received', undefined, { status: 'submitted' }],
    ['pending', undefined, { status: 'pending' }],
    ['unsubmitted', undefined, { status: 'draft' }],
    ['rejected', 'INVALID_FORMAT', { status: 'rejected', reason: 'INVALID_FORMAT' }],
    ['rejected', undefined, { status: 'rejected', reason: 'rejected by WhatsApp (no reason given)' }],
    ['paused', undefined, { status: 'pending', reason: 'paused by WhatsApp' }],
    ['disabled', undefined, { status: 'rejected', reason: 'disabled by WhatsApp' }],
    ['in_appeal', undefined, { status: 'pending' }],
    ['submitted', undefined, { status: 'submitted' }],
    ['DELETED', undefined, { status: 'rejected', reason: 'deleted in WhatsApp' }],
    ['PENDING_DELETION', undefined, { status: 'rejected', reason: 'deleted in WhatsApp' }],
  ])('%s (%s) → %j', (status, rejectionReason, expected) => {
    expect(registryStatusOf({ status, ...(rejectionReason && { rejectionReason }) })).toEqual(expected);
  });
});

describe('needsScheduledSync', () => {
  it('re-reads submitted, pending and approved templates, never drafts or rejected ones', () => {
    expect(['draft', 'submitted', 'pending', 'approved', 'rejected'].filter((s) => needsScheduledSync(template('t', s as TemplateDefinition['approvalStatus'])))).toEqual([
      'submitted',
      'pending',
      'approved',
    ]);
  });
});

describe('syncTemplateApprovals', () => {
  it('writes only what changed, goes on after a failing template, and stops at the deadline', async () => {
    // Prepare
    const registry = new MemoryRegistry();
    for (const t of [template('a', 'submitted'), template('b', 'approved'), template('c', 'pending'), template('d', 'rejected'), template('e', 'submitted', 'other')]) {
      await registry.put(t);
    }
    registry.writes.length = 0;
    const answers: Record<string, { status: string } | Error> = { HXa: { status: 'approved' }, HXb: { status: 'approved' }, HXc: new Error('Twilio down') };
    const approvals = {
      fetchApproval: async (d: TemplateDefinition) => {
        const answer = answers[d.providerTemplateId];
        if (!answer) throw new Error(`unexpected read of ${d.name}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    let now = 0;
    const failed: string[] = [];

    // Act
    const result = await syncTemplateApprovals(['acme', 'other'], {
      registry,
      approvals,
      now: () => new Date(now++ === 0 ? 0 : 10_000),
      deadline: new Date(5_000),
      onTemplateFailed: (d) => void failed.push(d.name),
    });

    // Assess
    expect(result).toEqual({
      businesses: 1,
      checked: 2,
      changed: [{ businessId: 'acme', name: 'a', language: 'es_MX', from: 'submitted', to: 'approved' }],
      failed: 1,
      businessesLeft: 1,
    });
    expect(registry.writes).toEqual(['status a approved']);
    expect(failed).toEqual(['c']);
  });
});

describe('template-sync handler', () => {
  it('syncs every business the table lists', async () => {
    // Prepare
    const registry = new MemoryRegistry();
    await registry.put(template('a', 'submitted', 'acme'));
    await registry.put(template('b', 'pending', 'beta'));
    const handler = createTemplateSyncHandler({
      businesses: { list: async () => ['acme', 'beta'] },
      registry,
      approvals: { fetchApproval: async () => ({ status: 'approved' }) },
      ...silentPowertools(),
    });

    // Act
    const result = await handler();

    // Assess
    expect(result.changed.map((c) => c.name).sort()).toEqual(['a', 'b']);
    expect((await registry.get('beta', 'b', 'es_MX'))?.approvalStatus).toBe('approved');
  });
});

describe('template-sync configuration', () => {
  it("defaults each BSP's base URL to its production host (an empty value too) and refuses one that is not a URL", () => {
    // Act
    const env = loadTemplateSyncEnv({ TEMPLATES_TABLE: 'T', CONNECTIONS_TABLE: 'C', META_GRAPH_BASE_URL: '' });
    const local = loadTemplateSyncEnv({ TEMPLATES_TABLE: 'T', CONNECTIONS_TABLE: 'C', DIALOG360_BASE_URL: 'http://127.0.0.1:4012' });

    // Assess
    expect(env).toMatchObject({
      TWILIO_CONTENT_BASE_URL: 'https://content.twilio.com',
      META_GRAPH_BASE_URL: 'https://graph.facebook.com',
      DIALOG360_BASE_URL: 'https://waba-v2.360dialog.io',
    });
    expect(local.DIALOG360_BASE_URL).toBe('http://127.0.0.1:4012');
    expect(() => loadTemplateSyncEnv({ TEMPLATES_TABLE: 'T', CONNECTIONS_TABLE: 'C', META_GRAPH_BASE_URL: 'graph' })).toThrow(/META_GRAPH_BASE_URL/);
  });
});
