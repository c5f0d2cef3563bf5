import { randomUUID } from 'node:crypto';
import type { ProviderName } from '../providers';
import type { AuditAction, AuditRecord } from './ports';

/**
 * The audit record of one mutating call. Written under the token's own business (never the path's,
 * which may be someone else's), with no secrets and no numbers: only ids, the action and how it ended.
 * @example auditRecord({ businessId: 'acme', actor: 'user-1', action: 'connection.put', status: 200, requestId: 'r1', at, retentionDays: 400, provider: 'meta' })
 */
export function auditRecord(input: {
  businessId: string;
  actor: string;
  action: AuditAction;
  status: number;
  requestId: string;
  at: Date;
  retentionDays: number;
  target?: string;
  /** The connection's provider, on connection actions. */
  provider?: ProviderName;
}): AuditRecord {
  const at = input.at.toISOString();
  return {
    businessId: input.businessId,
    auditId: `${at}#${randomUUID()}`,
    actor: input.actor,
    action: input.action,
    at,
    outcome: input.status < 400 ? 'success' : 'failure',
    status: input.status,
    requestId: input.requestId,
    expiresAt: Math.floor(input.at.getTime() / 1000) + input.retentionDays * 24 * 60 * 60,
    ...(input.target !== undefined && { target: input.target }),
    ...(input.provider !== undefined && { provider: input.provider }),
  };
}
