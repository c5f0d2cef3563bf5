import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretWriter } from '../domain/admin/ports';
import { awsErrorName, unavailable } from './aws-errors';

/**
 * Connection secrets in Secrets Manager, encrypted with the stack's customer managed KMS key.
 * Only the admin Lambda writes them; the webhook and send Lambdas read them (with a cache).
 *
 * - `put`: `CreateSecret` (with `KmsKeyId`); when the secret exists, `PutSecretValue` writes a new
 *   version (rotation: the name, ARN and the readers' secret id stay the same). A secret scheduled
 *   for deletion (`DescribeSecret` shows a `DeletedDate`) is restored first. Safe to repeat.
 * - `scheduleDeletion`: `DeleteSecret` with a recovery window; a secret already scheduled, or
 *   already gone, counts as done.
 * @example
 * const writer = new SecretsManagerSecretWriter(client, kmsKeyId);
 * const { arn } = await writer.put('echo-whatsapp/connections/cn_…', JSON.stringify({ accountSid, authToken }));
 */
export class SecretsManagerSecretWriter implements SecretWriter {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly kmsKeyId: string,
  ) {}

  async put(name: string, secretString: string): Promise<{ arn: string }> {
    try {
      const created = await this.client.send(
        new CreateSecretCommand({
          Name: name,
          KmsKeyId: this.kmsKeyId,
          SecretString: secretString,
          Description: 'WhatsApp BSP credentials of one Echo connection (written by the admin API).',
        }),
      );
      return { arn: created.ARN as string };
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw unavailable('Secrets Manager CreateSecret', error);
    }
    // A rotation: rare, so one more call to check that the secret is not pending deletion (which
    // refuses new versions until it is restored) costs nothing that matters.
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      if (described.DeletedDate) await this.client.send(new RestoreSecretCommand({ SecretId: name }));
    } catch (error) {
      throw unavailable('Secrets Manager DescribeSecret/RestoreSecret', error);
    }
    try {
      const written = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
      return { arn: written.ARN as string };
    } catch (error) {
      throw unavailable('Secrets Manager PutSecretValue', error);
    }
  }

  async scheduleDeletion(secretId: string, recoveryWindowDays: number): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: recoveryWindowDays }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      // Deleting a secret that is already scheduled for deletion is refused with this exception.
      if (awsErrorName(error) === 'InvalidRequestException' && /delet/i.test((error as Error).message)) return;
      throw unavailable('Secrets Manager DeleteSecret', error);
    }
  }
}
