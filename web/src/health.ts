/**
 * The connection's health in three words for Echo's dashboard: Connected, Not connected, or Needs
 * attention with the reason. Pure (no DOM): unit-tested in Node.
 */
import type { ConnectionView } from '../../lambdas/domain/admin/contract';
import type { StatusKey } from './i18n-status';

export type HealthState = 'connected' | 'not-connected' | 'attention';

export interface Health {
  state: HealthState;
  /** The badge's word. */
  label: StatusKey;
  /** Why it needs attention. */
  reason?: StatusKey;
}

/**
 * Not connected: no connection at all. Needs attention: a connection exists but messages may not
 * flow (switched off, the BSP refused the credentials, saved but never passed a test, the last test
 * failed, the BSP refused our webhook) or are about to be limited (quality rating RED). Connected: everything else that works.
 * @example connectionHealth({ status: 'active', verified: true, connected: true, … }) // { state: 'connected', label: 'status.connected' }
 */
export function connectionHealth(view: ConnectionView | undefined): Health {
  if (!view?.provider || view.status === 'not_connected') return { state: 'not-connected', label: 'status.notConnected' };
  const attention = (reason: StatusKey): Health => ({ state: 'attention', label: 'status.needsAttention', reason });
  if (view.status === 'disabled') return attention('widget.attention.disabled');
  // Before the test's verdict: a send refused after a passing test leaves `verified` true.
  if (view.attention) return attention('widget.attention.credentialsRejected');
  if (view.lastTest && !view.lastTest.ok) return attention('widget.attention.testFailed');
  if (!view.verified) return attention('widget.attention.unverified');
  if (view.setup && !view.setup.ok) return attention('widget.attention.webhook');
  if (view.facts?.qualityRating?.toUpperCase() === 'RED') return attention('widget.attention.quality');
  return { state: 'connected', label: 'status.connected' };
}
