import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { ProviderCredentials } from '../domain/bsp';
import { PermanentError } from '../shared/errors';
import { unavailable } from './aws-errors';

/** The secret exists but does not hold credentials we can use. */
export class InvalidCredentialsSecretError extends PermanentError {}

/**
 * What a connection's secret holds is its provider's business (each parses its own); here it only
 * has to be a JSON object.
 */
const credentialsSchema = z.record(z.string(), z.unknown());

/**
 * A connection's BSP credentials from Secrets Manager through Powertools' cache, so a warm
 * webhook does not call Secrets Manager. `refresh` bypasses the cache (after a rotation).
 * @example
 * const credentials = await store.get(connection.secretArn);
 */
export class SecretsCredentialsStore {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly maxAgeSeconds: number,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async get(secretId: string, options: { refresh?: boolean } = {}): Promise<ProviderCredentials> {
    let value: unknown;
    try {
      value = await this.provider.get(secretId, {
        maxAge: this.maxAgeSeconds,
        transform: 'json',
        forceFetch: options.refresh ?? false,
      });
    } catch (error) {
      throw unavailable('Secrets Manager GetSecretValue', error);
    }
    const parsed = credentialsSchema.safeParse(value);
    if (!parsed.success) throw new InvalidCredentialsSecretError('connection secret is not a JSON object');
    return parsed.data;
  }
}
