import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The custom attribute naming the business a user acts for; the ID token carries it as `custom:business_id`. */
export const BUSINESS_ID_ATTRIBUTE = 'business_id';

export interface AdminUserPoolProps {
  /**
   * Prefix of the hosted UI domain (`https://<prefix>.auth.<region>.amazoncognito.com`): lowercase
   * letters, digits and hyphens, unique in the region, without `aws`, `amazon` or `cognito`.
   * @default - `echo-whatsapp-` followed by the stack's id (a UUID), unique per deployment
   */
  readonly domainPrefix?: string;

  /**
   * What happens to the pool (and every user in it) when the stack is deleted or the pool replaced.
   * @default RemovalPolicy.RETAIN (with deletion protection on)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The identities of the admin API and the settings page (used unless the deployment names an
 * external OIDC issuer): a Cognito user pool whose users are created by an operator, each bound at
 * creation to one business by the immutable custom attribute `business_id`.
 *
 * Secure defaults:
 * - no self sign-up: a user exists only if an operator created them with their business id;
 * - `business_id` is immutable (set once, by `AdminCreateUser`) and app clients may read it but never
 *   write it (see `SettingsPageClient`): a user can never move themselves to another business;
 * - strong passwords, MFA required (authenticator app, TOTP), account recovery by verified email;
 * - the Plus feature plan with threat protection enforced (compromised-credential detection and
 *   adaptive authentication block risky sign-ins), because a user controls a business's WhatsApp
 *   credentials and can message its customers;
 * - deletion protection and RETAIN: deleting the stack never deletes the users.
 *
 * The app client lives with the settings page (stateless stack), since its callback URL is the
 * CloudFront domain; the hosted UI domain lives here.
 */
export class AdminUserPool extends Construct {
  /** The user pool. */
  public readonly userPool: cognito.UserPool;
  /** The hosted UI domain (authorization and token endpoints of the code flow). */
  public readonly domain: cognito.UserPoolDomain;
  /** The issuer of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  public readonly issuerUrl: string;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, no trailing slash. */
  public readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: AdminUserPoolProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        [BUSINESS_ID_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 1, maxLen: 128, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    // The stack id's UUID part: stable for the stack's life, unique per deployment, and made only
    // of lowercase hex digits and hyphens, as Cognito domain prefixes must be.
    const domainPrefix =
      props.domainPrefix ?? Fn.join('-', ['echo-whatsapp', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    this.domainUrl = this.domain.baseUrl();
    this.issuerUrl = `https://cognito-idp.${Stack.of(this).region}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
  }
}

export interface SettingsPageClientProps {
  /** The pool whose users sign in. */
  readonly userPool: cognito.IUserPool;
  /**
   * Where Cognito returns the authorization code: the settings page's URLs. Empty: no hosted UI
   * sign-in (OAuth disabled) for deployments without the settings page; Echo's own front end then
   * signs users in with SRP.
   */
  readonly callbackUrls: string[];
}

/**
 * The settings page's app client: a public client (a browser cannot keep a secret) using the
 * authorization code grant with PKCE (the page sends a code challenge; Cognito enforces it for
 * public clients when one is given), scope `openid` only, through Cognito's hosted UI.
 *
 * The page sends the ID token (audience = this client's id) to the admin API; it carries
 * `custom:business_id` because the client may read that attribute. The client may write no
 * attribute a user could use to change who they act for: only their name.
 */
export class SettingsPageClient extends Construct {
  /** The app client. */
  public readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: SettingsPageClientProps) {
    super(scope, id);
    const hostedUi = props.callbackUrls.length > 0;
    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: !hostedUi,
      oAuth: hostedUi
        ? {
            flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
            scopes: [cognito.OAuthScope.OPENID],
            callbackUrls: props.callbackUrls,
            logoutUrls: props.callbackUrls,
          }
        : undefined,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(BUSINESS_ID_ATTRIBUTE),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }
}
