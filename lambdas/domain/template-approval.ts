/**
 * Keeping the template registry's approval statuses in step with WhatsApp's verdicts, as the BSP
 * reports them. Used by the hourly `template-sync` Lambda and by `npm run templates -- sync`.
 */
import type { ProviderCredentials } from './bsp';
import type { Connection } from './connection';
import type { TemplateApprovalStatus, TemplateDefinition, TemplateRegistry } from './templates';

/** What the BSP says about one template's WhatsApp approval (Twilio: lower-cased status). */
export interface BspApproval {
  status: string;
  rejectionReason?: string;
}

/**
 * The registry status for a BSP approval status. Only `approved` is sendable. WhatsApp may pause
 * an approved template (poor quality) and later lift the pause: that reads as `pending`, which is
 * not sendable and keeps being synced. `disabled` (after repeated pauses) is final, like `rejected`.
 * Unknown statuses are `pending`: not sendable, synced again.
 * @example registryStatusOf({ status: 'received' }) // { status: 'submitted' }
 */
export function registryStatusOf(approval: BspApproval): { status: TemplateApprovalStatus; reason?: string } {
  const status = approval.status.trim().toLowerCase();
  const reason = approval.rejectionReason?.trim() || undefined;
  switch (status) {
    case 'approved':
      return { status: 'approved' };
    case 'rejected':
      return { status: 'rejected', reason: reason ?? 'rejected by WhatsApp (no reason given)' };
    case 'disabled':
      return { status: 'rejected', reason: reason ?? 'disabled by WhatsApp' };
    case 'paused':
      return { status: 'pending', reason: reason ?? 'paused by WhatsApp' };
    case 'unsubmitted':
      return { status: 'draft' };
    case 'received':
      return { status: 'submitted' };
    default:
      return { status: 'pending', ...(reason !== undefined && { reason }) };
  }
}

/**
 * Which templates the scheduled sync re-reads: everything submitted, including `approved` (WhatsApp
 * can pause or disable an approved template), but not `draft` (never submitted: nothing to read)
 * nor `rejected` (final for that content; a fix is a new content).
 */
export function needsScheduledSync(definition: TemplateDefinition): boolean {
  return definition.approvalStatus !== 'draft' && definition.approvalStatus !== 'rejected';
}

/** Reads a template's approval from the BSP with its connection's credentials. */
export interface ApprovalReader {
  fetchApproval(definition: TemplateDefinition): Promise<BspApproval>;
}

/** The pieces an `ApprovalReader` for Twilio is made of (all injected). */
export interface BspApprovalReaderDeps {
  connections: { get(connectionId: string): Promise<Connection | undefined> };
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  contentApi: {
    fetchWhatsAppApproval(
      credentials: ProviderCredentials,
      contentSid: string,
    ): Promise<{ status: string; rejectionReason?: string }>;
  };
}

/** A connection the template names no longer exists: the template cannot be synced. */
export class TemplateConnectionMissingError extends Error {}

/**
 * Approval reads through the template's own connection (the BSP account it was created in).
 * @example
 * const reader = new BspApprovalReader({ connections, credentials, contentApi });
 * await reader.fetchApproval(definition) // { status: 'approved' }
 */
export class BspApprovalReader implements ApprovalReader {
  constructor(private readonly deps: BspApprovalReaderDeps) {}

  async fetchApproval(definition: TemplateDefinition): Promise<BspApproval> {
    const connection = await this.deps.connections.get(definition.connectionId);
    if (!connection) throw new TemplateConnectionMissingError(`connection ${definition.connectionId} not found`);
    const credentials = await this.deps.credentials.get(connection.secretArn);
    return this.deps.contentApi.fetchWhatsAppApproval(credentials, definition.providerTemplateId);
  }
}

export interface SyncApprovalsDeps {
  registry: TemplateRegistry;
  approvals: ApprovalReader;
  /** Which of a business's templates to read. @default needsScheduledSync */
  filter?: (definition: TemplateDefinition) => boolean;
  /** Stop starting new businesses after this instant (the invocation's budget). */
  deadline?: Date;
  now?: () => Date;
  /** BSP reads in flight at once. @default 4 */
  concurrency?: number;
  /** One call per template that could not be synced; the others go on. */
  onTemplateFailed?: (definition: TemplateDefinition, error: unknown) => void;
}

export interface SyncedTemplate {
  businessId: string;
  name: string;
  language: string;
  from: TemplateApprovalStatus;
  to: TemplateApprovalStatus;
  reason?: string;
}

export interface SyncApprovalsResult {
  businesses: number;
  checked: number;
  /** Templates whose status or reason changed (and were written). */
  changed: SyncedTemplate[];
  failed: number;
  /** Businesses left for the next run because the deadline came. */
  businessesLeft: number;
}

/**
 * Re-reads the approval of each selected template of each business and writes only what changed.
 * A template that fails (BSP down, connection gone) is counted and skipped; the run goes on.
 * @example
 * const result = await syncTemplateApprovals(['acme'], { registry, approvals });
 * result.changed // [{ name: 'reengagement', language: 'es_MX', from: 'submitted', to: 'approved' }]
 */
export async function syncTemplateApprovals(businessIds: Iterable<string>, deps: SyncApprovalsDeps): Promise<SyncApprovalsResult> {
  const filter = deps.filter ?? needsScheduledSync;
  const now = deps.now ?? (() => new Date());
  const businesses = [...new Set(businessIds)];
  const result: SyncApprovalsResult = { businesses: 0, checked: 0, changed: [], failed: 0, businessesLeft: 0 };

  for (const [index, businessId] of businesses.entries()) {
    if (deps.deadline && now().getTime() >= deps.deadline.getTime()) {
      result.businessesLeft = businesses.length - index;
      break;
    }
    result.businesses++;
    const templates = (await deps.registry.list(businessId)).filter(filter);
    await forEachLimited(templates, deps.concurrency ?? 4, async (definition) => {
      try {
        const approval = await deps.approvals.fetchApproval(definition);
        result.checked++;
        const next = registryStatusOf(approval);
        if (next.status === definition.approvalStatus && next.reason === definition.rejectionReason) return;
        await deps.registry.setApprovalStatus(businessId, definition.name, definition.language, next.status, next.reason);
        result.changed.push({
          businessId,
          name: definition.name,
          language: definition.language,
          from: definition.approvalStatus,
          to: next.status,
          ...(next.reason !== undefined && { reason: next.reason }),
        });
      } catch (error) {
        result.failed++;
        deps.onTemplateFailed?.(definition, error);
      }
    });
  }
  return result;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
