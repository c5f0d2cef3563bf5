import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface MetaAppSecretProps {
  /** The stack's customer managed key: the secret is encrypted with it. */
  readonly encryptionKey: kms.IKey;
  /**
   * The deployment's secret prefix; the secret is `${prefix}/meta-app`, a name the operator can
   * find in the console to fill in.
   */
  readonly secretNamePrefix: string;
  /**
   * What happens to the secret when the stack is deleted.
   * @default RemovalPolicy.RETAIN (the operator typed the app secret in; a redeploy must not lose it)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The secret of Echo's own Meta app (Tech Provider for Embedded Signup), one per deployment:
 * `{ "appSecret": "", "systemUserToken": "", "verifyToken": "<generated>" }`.
 *
 * CloudFormation generates the verify token (32 letters and digits) that the operator types into
 * the app's Webhooks settings with the callback URL `…/webhook/whatsapp/meta`; the operator fills
 * in the app secret (App settings → Basic) and a system user token once (README, "Echo's Meta
 * app"). Until then the app-level webhook verifies nothing and answers 403, and "Connect with
 * Facebook" is off: an empty secret is never a usable one (`metaAppCredentialsSchema`).
 *
 * Not rotated by Secrets Manager: both values are issued by Meta (the app secret is reset in the
 * app dashboard, the token in Business Settings), so rotation is the operator's, with a new value
 * put into this secret; the webhook's secret cache re-reads it after a signature mismatch.
 * @example
 * const metaApp = new MetaAppSecret(this, 'MetaAppSecret', { encryptionKey: key, secretNamePrefix: 'echo-whatsapp' });
 * // Readers in another stack add `secretsmanager:GetSecretValue` on `metaApp.secret.secretArn` to their own
 * // role (and Decrypt via Secrets Manager): `grantRead` would name them in this stack's key policy.
 */
export class MetaAppSecret extends Construct {
  /** The secret (`META_APP_SECRET_ARN` of the webhook and admin functions). */
  public readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: MetaAppSecretProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: `${props.secretNamePrefix.replace(/\/+$/, '')}/meta-app`,
      description: "Echo's Meta app (Embedded Signup): fill in appSecret and systemUserToken; verifyToken is generated",
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ appSecret: '', systemUserToken: '' }),
        generateStringKey: 'verifyToken',
        passwordLength: 32,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "Meta issues both values (the app secret is reset in the Meta app dashboard, the system user token in Business Settings): Secrets Manager cannot rotate them; the operator puts the new value in this secret, and the webhook's cache re-reads it after a signature mismatch.",
    });
  }

}
