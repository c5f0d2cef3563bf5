import type { Connection } from '../../../lambdas/domain/connection';
import {
  TemplateNotFoundError,
  templateKeyOf,
  type TemplateApprovalStatus,
  type TemplateDefinition,
  type TemplateRegistry,
} from '../../../lambdas/domain/templates';
import type { ContentApiPort, TemplatesContext } from '../../../scripts/templates';

export class MemoryRegistry implements TemplateRegistry {
  readonly items = new Map<string, TemplateDefinition>();
  readonly writes: string[] = [];
  private key(businessId: string, name: string, language: string) {
    return `${businessId}|${templateKeyOf(name, language)}`;
  }
  async get(businessId: string, name: string, language: string) {
    const item = this.items.get(this.key(businessId, name, language));
    return item ? { ...item } : undefined;
  }
  async put(definition: TemplateDefinition) {
    this.writes.push(`put ${definition.name} ${definition.approvalStatus}`);
    this.items.set(this.key(definition.businessId, definition.name, definition.language), { ...definition });
  }
  async list(businessId: string) {
    return [...this.items.values()].filter((t) => t.businessId === businessId).map((t) => ({ ...t }));
  }
  async setApprovalStatus(businessId: string, name: string, language: string, status: TemplateApprovalStatus, reason?: string) {
    const item = this.items.get(this.key(businessId, name, language));
    if (!item) throw new TemplateNotFoundError('no such template');
    this.writes.push(`status ${name} ${status}`);
    item.approvalStatus = status;
    if (reason !== undefined) item.rejectionReason = reason;
    else delete item.rejectionReason;
  }
}

export class FakeContentApi implements ContentApiPort {
  readonly created: string[] = [];
  readonly submitted: Array<{ sid: string; name: string; category: string }> = [];
  approvals = new Map<string, { status: string; rejectionReason?: string }>();
  submitFailure?: Error;
  private next = 1;
  async createContent() {
    const sid = `HX${String(this.next++).padStart(32, '0')}`;
    this.created.push(sid);
    return { sid };
  }
  async submitWhatsAppApproval(_c: unknown, sid: string, request: { name: string; category: string }) {
    if (this.submitFailure) throw this.submitFailure;
    this.submitted.push({ sid, ...request });
    return { status: 'received' };
  }
  async fetchWhatsAppApproval(_c: unknown, sid: string) {
    const approval = this.approvals.get(sid);
    if (!approval) throw new Error(`unknown content ${sid}`);
    return approval;
  }
}

export const CONNECTION: Connection = {
  connectionId: 'conn1',
  businessId: 'acme',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn:secret:conn1',
};

export function fakeContext(overrides: Partial<TemplatesContext> = {}) {
  const registry = new MemoryRegistry();
  const contentApi = new FakeContentApi();
  const lines: string[] = [];
  const ctx: TemplatesContext = {
    registry,
    contentApi,
    connections: { get: async (id) => (id === CONNECTION.connectionId ? CONNECTION : undefined) },
    credentials: { get: async () => ({ accountSid: 'AC' + '0'.repeat(32), authToken: 'secret' }) },
    businesses: { list: async () => [...new Set([...registry.items.values()].map((t) => t.businessId))] },
    now: () => new Date('2026-11-26T12:00:00.000Z'),
    log: (line) => void lines.push(line),
    ...overrides,
  };
  return { ctx, registry, contentApi, lines };
}
