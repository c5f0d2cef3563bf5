/**
 * Keeping the template registry's approval statuses in step with WhatsApp's verdicts, as the BSP
 * reports them. Used by the hourly `template-sync` Lambda and by `npm run templates -- sync`.
 */
import type { ProviderCredentials } from './bsp';
import type { Connection } from './connection';
import { newTemplateReadScope, templateBspFor, type BspApproval, type TemplateBsps, type TemplateReadScope } from './template-bsp';
import type { TemplateApprovalStatus, TemplateDefinition, TemplateRegistry } from './templates';

export type { BspApproval } from './template-bsp';

/**
 * The registry status for a BSP approval status, whatever the BSP's case. Only `approved` is
 * sendable; everything else keeps the template out of sends.
 *
 * | BSP status | Registry | Why |
 * | --- | --- | --- |
 * | `approved` (Twilio, Meta `APPROVED`) | `approved` | the only sendable one |
 * | `received` (Twilio), `submitted` (360dialog) | `submitted` | the BSP has it; WhatsApp has not decided |
 * | `pending` (Meta `PENDING`), `in_appeal` (Meta `IN_APPEAL`) | `pending` | WhatsApp is (re)reviewing it |
 * | `paused` (Meta `PAUSED`) | `pending`, "paused by WhatsApp" | **not sendable**: WhatsApp paused it for poor quality and may lift the pause, so it keeps being synced |
 * | `disabled` (Meta `DISABLED`) | `rejected`, "disabled by WhatsApp" | **not sendable**, final: disabled after repeated pauses |
 * | `rejected` (Meta `REJECTED`) | `rejected` with WhatsApp's reason | final for that content; a fix is a new content (Twilio) or an edit in WhatsApp Manager (Cloud API) |
 * | `deleted`, `pending_deletion` (Meta) | `rejected`, "deleted in WhatsApp" | gone from the account: sending it fails |
 * | `unsubmitted` (Twilio) | `draft` | created, never submitted |
 * | anything else | `pending` | not sendable, synced again |
 * @example registryStatusOf({ status: 'received' }) // { status: 'submitted' }
 * @example registryStatusOf({ status: 'PAUSED' }) // { status: 'pending', reason: 'paused by WhatsApp' }
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
    case 'deleted':
    case 'pending_deletion':
      return { status: 'rejected', reason: reason ?? 'deleted in WhatsApp' };
    case 'paused':
      return { status: 'pending', reason: reason ?? 'paused by WhatsApp' };
    case 'unsubmitted':
      return { status: 'draft' };
    case 'received':
    case 'submitted':
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
  /** `scope` shares account-wide reads between the templates of one sync pass (see `TemplateReadScope`). */
  fetchApproval(definition: TemplateDefinition, scope?: TemplateReadScope): Promise<BspApproval>;
}

/** The pieces a {@link BspApprovalReader} is made of (all injected). */
export interface BspApprovalReaderDeps {
  connections: { get(connectionId: string): Promise<Connection | undefined> };
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  /** The template port of each provider; a template of a provider without one fails (`UnsupportedTemplateProviderError`). */
  bsps: TemplateBsps;
}

/** A connection the template names no longer exists: the template cannot be synced. */
export class TemplateConnectionMissingError extends Error {}

/**
 * Approval reads through the template's own connection (the BSP account it was created in), with
 * that connection's provider.
 * @example
 * const reader = new BspApprovalReader({ connections, credentials, bsps: { twilio, meta, '360dialog': dialog360 } });
 * await reader.fetchApproval(definition) // { status: 'approved' }
 */
export class BspApprovalReader implements ApprovalReader {
  constructor(private readonly deps: BspApprovalReaderDeps) {}

  async fetchApproval(definition: TemplateDefinition, scope?: TemplateReadScope): Promise<BspApproval> {
    const connection = await this.deps.connections.get(definition.connectionId);
    if (!connection) throw new TemplateConnectionMissingError(`connection ${definition.connectionId} not found`);
    const bsp = templateBspFor(this.deps.bsps, connection);
    const credentials = await this.deps.credentials.get(connection.secretArn);
    return bsp.fetchApproval(credentials, connection, definition, scope);
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
 * Each business gets its own read scope: a BSP that lists a whole account (Cloud API) is asked
 * once per connection per run, and nothing read is kept once the business is done.
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
    const scope = newTemplateReadScope();
    await forEachLimited(templates, deps.concurrency ?? 4, async (definition) => {
      try {
        const approval = await deps.approvals.fetchApproval(definition, scope);
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
