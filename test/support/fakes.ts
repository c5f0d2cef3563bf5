import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Connection, ConnectionDirectory } from '../../lambdas/domain/connection';
import type { DomainEvent } from '../../lambdas/domain/events';
import type { InboundQueueMessage } from '../../lambdas/domain/inbound-queue-message';
import type {
  EventPublisher,
  InboundQueue,
  InboundRecord,
  MessageStore,
  RecordInboundResult,
  StatusChange,
  StatusChangeResult,
} from '../../lambdas/domain/ports';
import type { ProviderCredentials } from '../../lambdas/providers/whatsapp/provider';
import type { CredentialsReader } from '../../lambdas/handlers/webhook/handler';

/** Records every call so tests can assert that rejected requests wrote nothing. */
export class RecordingStore implements MessageStore {
  readonly inbound: InboundRecord[] = [];
  readonly statuses: StatusChange[] = [];
  failWith?: Error;
  statusResult: StatusChangeResult = { outcome: 'applied' };
  async recordInbound(record: InboundRecord): Promise<RecordInboundResult> {
    if (this.failWith) throw this.failWith;
    this.inbound.push(record);
    return { outcome: 'stored' };
  }
  async recordInboundBatch(records: InboundRecord[]): Promise<{ outcome: 'stored' | 'conflict' }> {
    if (this.failWith) throw this.failWith;
    this.inbound.push(...records);
    return { outcome: 'stored' };
  }
  async applyStatus(change: StatusChange): Promise<StatusChangeResult> {
    if (this.failWith) throw this.failWith;
    this.statuses.push(change);
    return this.statusResult;
  }
}

export class RecordingQueue implements InboundQueue {
  readonly sent: Array<{ message: InboundQueueMessage; deduplicationId: string }> = [];
  failWith?: Error;
  async enqueue(message: InboundQueueMessage, deduplicationId: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ message, deduplicationId });
  }
  async enqueueBatch(entries: Array<{ message: InboundQueueMessage; deduplicationId: string }>): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(...entries);
  }
}

export class RecordingEvents implements EventPublisher {
  readonly published: DomainEvent[] = [];
  failWith?: Error;
  async publish(events: DomainEvent[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(...events);
  }
}

export class FixedDirectory implements ConnectionDirectory {
  readonly touched: string[] = [];
  constructor(private readonly connections: Connection[]) {}
  async get(connectionId: string): Promise<Connection | undefined> {
    return this.connections.find((c) => c.connectionId === connectionId);
  }
  async touchLastInbound(connectionId: string): Promise<void> {
    this.touched.push(connectionId);
  }
}

/** Credentials by secret id; `rotate` changes what a refresh returns but not the cached value. */
export class CachedCredentials implements CredentialsReader {
  readonly reads: Array<{ secretId: string; refresh: boolean }> = [];
  private cached = new Map<string, ProviderCredentials>();
  constructor(private current: Record<string, ProviderCredentials>) {}
  rotate(secretId: string, credentials: ProviderCredentials): void {
    this.current = { ...this.current, [secretId]: credentials };
  }
  async get(secretId: string, options: { refresh?: boolean } = {}): Promise<ProviderCredentials> {
    this.reads.push({ secretId, refresh: options.refresh ?? false });
    if (options.refresh || !this.cached.has(secretId)) {
      const value = this.current[secretId];
      if (!value) throw new Error('no such secret');
      this.cached.set(secretId, value);
    }
    return this.cached.get(secretId)!;
  }
}

/** Powertools instances that write nowhere during tests. */
export function silentPowertools(): { logger: Logger; metrics: Metrics } {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const metrics = new Metrics({ serviceName: 'test', namespace: 'Test' });
  metrics.setThrowOnEmptyMetrics(false);
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
  return { logger, metrics };
}
