import type { Connection } from '../../../lambdas/domain/connection';
import { CloudApiTemplateBsp } from '../../../lambdas/providers/whatsapp/cloud-api/template-bsp';
import { DUPLICATE_TEMPLATE_SUBCODE, templateOf, type CloudApiTemplate, type CloudApiTemplateClient, type NewCloudApiTemplate } from '../../../lambdas/providers/whatsapp/cloud-api/templates';
import { CloudApiErrorAnswer } from '../../../lambdas/providers/whatsapp/cloud-api/http';
import type { CloudApiProvider } from '../../../lambdas/providers/whatsapp/cloud-api/errors';
import { TwilioTemplateBsp, type TwilioTemplateContentApi } from '../../../lambdas/providers/whatsapp/twilio/templates';
import { SendFailedError } from '../../../lambdas/shared/errors';
import {
  TemplateNotFoundError,
  templateKeyOf,
  type TemplateApprovalStatus,
  type TemplateDefinition,
  type TemplateRegistry,
} from '../../../lambdas/domain/templates';
import type { TemplatesContext } from '../../../scripts/templates';

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

/** Twilio's Content API in memory: `HX…` SIDs in order, approvals set by the test. */
export class FakeContentApi implements TwilioTemplateContentApi {
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

/**
 * A Cloud API account's templates in memory, behind the client's `read`/`create`: a create of an
 * existing name and language fails as Meta does (100 / 2388024), and `reads` counts list calls.
 */
export class FakeCloudTemplates implements Pick<CloudApiTemplateClient, 'read' | 'create'> {
  readonly items: Array<{ name: string; language: string; status: string; rejected_reason?: string; category?: string }> = [];
  readonly creates: Array<{ template: NewCloudApiTemplate; wabaId?: string }> = [];
  readonly readsOf: Array<string | undefined> = [];
  /** What a create answers as its status (Meta: PENDING; 360dialog: submitted). */
  createdStatus = 'PENDING';
  listFailure?: Error;
  /** Pretend pages were left unread. */
  incomplete = false;

  get reads(): number {
    return this.readsOf.length;
  }

  async read(_credentials: unknown, wabaId?: string): Promise<{ templates: CloudApiTemplate[]; complete: boolean }> {
    this.readsOf.push(wabaId);
    if (this.listFailure) throw this.listFailure;
    return { templates: this.items.map((item) => templateOf(item)), complete: !this.incomplete };
  }

  async create(_credentials: unknown, template: NewCloudApiTemplate, wabaId?: string) {
    if (this.items.some((item) => item.name === template.name && item.language === template.language)) {
      const body = { error: { message: 'Invalid parameter', code: 100, error_subcode: DUPLICATE_TEMPLATE_SUBCODE } };
      throw new SendFailedError('permanent', '100', 'WhatsApp rejected the message as malformed.', { httpStatus: 400, cause: new CloudApiErrorAnswer(400, body) });
    }
    this.creates.push({ template, ...(wabaId !== undefined && { wabaId }) });
    this.items.push({ name: template.name, language: template.language, status: this.createdStatus, category: template.category });
    return { id: String(this.creates.length), status: templateOf({ name: template.name, language: template.language, status: this.createdStatus }).status, providerStatus: this.createdStatus };
  }

  /** WhatsApp's verdict on a template. */
  review(name: string, status: string, reason?: string): void {
    const item = this.items.find((candidate) => candidate.name === name);
    if (!item) throw new Error(`no template ${name}`);
    item.status = status;
    if (reason !== undefined) item.rejected_reason = reason;
  }
}

/** The real Cloud API template port over an in-memory account (Meta: the WABA id from the connection). */
export function fakeCloudBsp(provider: CloudApiProvider, client = new FakeCloudTemplates()) {
  const bsp = new CloudApiTemplateBsp({ provider, client, accountOf: (connection) => (provider === 'meta' ? connection.providerAccountId : undefined) });
  return { bsp, client };
}

export const CONNECTION: Connection = {
  connectionId: 'conn1',
  businessId: 'acme',
  provider: 'twilio',
  status: 'active',
  displayNumber: '+14155238886',
  secretArn: 'arn:secret:conn1',
};

/** A Meta connection of the same business (its WABA id is `providerAccountId`). */
export const META_CONNECTION: Connection = {
  connectionId: 'conn-meta',
  businessId: 'acme',
  provider: 'meta',
  status: 'active',
  displayNumber: '+15550783881',
  providerNumberId: '106540352242922',
  providerAccountId: '102290129340398',
  secretArn: 'arn:secret:conn-meta',
};

/** A 360dialog connection of another business (the key is per number: no account id). */
export const DIALOG360_CONNECTION: Connection = {
  connectionId: 'conn-360',
  businessId: 'beta',
  provider: '360dialog',
  status: 'active',
  displayNumber: '+5215550001111',
  providerNumberId: '+5215550001111',
  secretArn: 'arn:secret:conn-360',
};

const CONNECTIONS = [CONNECTION, META_CONNECTION, DIALOG360_CONNECTION];

export function fakeContext(overrides: Partial<TemplatesContext> = {}) {
  const registry = new MemoryRegistry();
  const contentApi = new FakeContentApi();
  const meta = fakeCloudBsp('meta');
  const dialog360 = fakeCloudBsp('360dialog');
  const lines: string[] = [];
  const ctx: TemplatesContext = {
    registry,
    templateBsps: { twilio: new TwilioTemplateBsp(contentApi), meta: meta.bsp, '360dialog': dialog360.bsp },
    connections: { get: async (id) => CONNECTIONS.find((connection) => connection.connectionId === id) },
    credentials: { get: async () => ({ accountSid: 'AC' + '0'.repeat(32), authToken: 'secret' }) },
    businesses: { list: async () => [...new Set([...registry.items.values()].map((t) => t.businessId))] },
    now: () => new Date('2026-11-26T12:00:00.000Z'),
    log: (line) => void lines.push(line),
    ...overrides,
  };
  return { ctx, registry, contentApi, meta: meta.client, dialog360: dialog360.client, lines };
}
