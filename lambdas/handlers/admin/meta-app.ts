import type { MetaApp } from '../../domain/admin/embedded-signup';
import type { ProviderCredentials } from '../../domain/bsp';
import { InvalidCredentialsError } from '../../providers/whatsapp/cloud-api/credentials';
import { parseMetaAppCredentials } from '../../providers/whatsapp/meta/app';

/**
 * Echo's Meta app for "Connect with Facebook": the id from the environment, the app secret and the
 * app-level verify token from the deployment's `meta-app` secret (read through the cache of
 * connection secrets). A secret the operator has not filled in yet reads as no app (the route then
 * answers 409 `not-supported`) and is reported once per read; any other failure propagates.
 * @example const metaApp = createMetaAppReader({ appId: '1234', secretArn, credentials, onUnfilled });
 */
export function createMetaAppReader(options: {
  appId: string;
  secretArn: string;
  credentials: { get(secretId: string): Promise<ProviderCredentials> };
  onUnfilled?: (error: InvalidCredentialsError) => void;
}): () => Promise<MetaApp | undefined> {
  return async () => {
    try {
      const { appSecret, verifyToken } = parseMetaAppCredentials(await options.credentials.get(options.secretArn));
      return { appId: options.appId, appSecret, verifyToken };
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      options.onUnfilled?.(error);
      return undefined;
    }
  };
}
