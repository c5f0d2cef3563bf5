/**
 * Echo's own Meta app in the local runtime (Tech Provider, Embedded Signup): obviously fake values
 * that the Meta simulator accepts (`app` option) and the local runtime seeds as the deployment's
 * `meta-app` secret, so "Connect with Facebook" and the app-level webhook work without Meta.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { metaAppSecretName } from '../lambdas/providers/whatsapp/meta/app';

/** Dev values: numeric Graph ids, a 32-hex app secret, an `EAA` token, a 36-character verify token. */
export const LOCAL_META_APP = {
  appId: '900000000000001',
  embeddedSignupConfigId: '800000000000001',
  appSecret: 'ec40ec40ec40ec40ec40ec40ec40ec40',
  systemUserToken: 'EAALocalEchoAppSystemUserToken0000000000',
  verifyToken: 'local-echo-app-verify-token-0123456789',
} as const;

/**
 * Writes the `meta-app` secret (`{ appSecret, systemUserToken, verifyToken }`) under `secretPrefix`;
 * idempotent. Resolves with its ARN (what `META_APP_SECRET_ARN` names).
 * @example const arn = await seedMetaAppSecret({ endpoint, region: 'us-east-1', secretPrefix: 'echo-whatsapp' });
 */
export async function seedMetaAppSecret(target: { endpoint: string; region: string; secretPrefix: string }): Promise<string> {
  const client = new SecretsManagerClient({ endpoint: target.endpoint, region: target.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const name = metaAppSecretName(target.secretPrefix);
  const { appSecret, systemUserToken, verifyToken } = LOCAL_META_APP;
  const value = JSON.stringify({ appSecret, systemUserToken, verifyToken });
  try {
    try {
      return (await client.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN as string;
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return (await client.send(new DescribeSecretCommand({ SecretId: name }))).ARN as string;
    }
  } finally {
    client.destroy();
  }
}
