/**
 * Deployment variants of the admin API, chosen by context: an external OIDC issuer instead of the
 * Cognito user pool, no settings page, and the other admin context keys (and their validation).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { ADMIN_ROUTES, CONTEXT_KEYS } from '../../lib/config';
import { environmentOf, logicalIdOf, resourceOf, SYNTH_TIMEOUT_MS, synthesizeWithoutBundling, type SynthesizedApp } from './synth';

const EXTERNAL = {
  [CONTEXT_KEYS.adminJwtIssuer]: 'https://auth.echo.example',
  [CONTEXT_KEYS.adminJwtAudience]: 'echo-web, echo-mobile',
  [CONTEXT_KEYS.adminBusinessClaim]: 'https://echo.example/business',
  [CONTEXT_KEYS.auditRetentionDays]: '30',
};

describe('admin API with an external OIDC issuer (context adminJwtIssuer/adminJwtAudience)', () => {
  let synthesized: SynthesizedApp;

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling(EXTERNAL);
  }, SYNTH_TIMEOUT_MS);

  it('creates no Cognito user pool, domain or app client', () => {
    expect(synthesized.stateful.adminUserPool).toBeUndefined();
    for (const type of ['AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolDomain', 'AWS::Cognito::UserPoolClient']) {
      synthesized.statefulTemplate.resourceCountIs(type, 0);
      synthesized.statelessTemplate.resourceCountIs(type, 0);
    }
    expect(Object.keys(synthesized.statelessTemplate.findOutputs('AdminUserPoolId'))).toEqual([]);
  });

  it('validates tokens of that issuer for those audiences, on every route', () => {
    const template = synthesized.statelessTemplate;
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://auth.echo.example', Audience: ['echo-web', 'echo-mobile'] },
    });
    const apiId = logicalIdOf(synthesized.stateless.adminApi.api);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (route) => route.Properties.ApiId.Ref === apiId,
    );
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(Object.values(ADMIN_ROUTES).sort());
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('JWT');
  });

  it('passes the business claim and audit retention to the function', () => {
    expect(environmentOf(synthesized.statelessTemplate, synthesized.stateless.admin.function)).toMatchObject({
      BUSINESS_CLAIM: 'https://echo.example/business',
      AUDIT_RETENTION_DAYS: '30',
    });
  });

  it('still deploys the settings page, which then takes a token (no sign-in endpoints to derive)', () => {
    const hosting = synthesized.stateless.webHosting!;
    expect(hosting.siteConfig).toEqual({
      apiBaseUrl: '',
      businessClaim: 'https://echo.example/business',
      auth: { type: 'token' },
    });
    const [policy] = Object.values(synthesized.statelessTemplate.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    // A CloudFormation join (the media bucket's host in img-src and media-src has the account and region in it).
    const csp = JSON.stringify(policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain('amazoncognito');
  });
});

describe('admin API without the settings page (context settingsPage=false)', () => {
  let synthesized: SynthesizedApp;

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling({ [CONTEXT_KEYS.settingsPage]: 'false' });
  }, SYNTH_TIMEOUT_MS);

  it('creates no bucket, distribution or deployment, but the admin API', () => {
    const template = synthesized.statelessTemplate;
    expect(synthesized.stateless.webHosting).toBeUndefined();
    for (const type of ['AWS::S3::Bucket', 'AWS::CloudFront::Distribution', 'Custom::CDKBucketDeployment']) {
      template.resourceCountIs(type, 0);
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    expect(Object.keys(template.findOutputs('SettingsPageUrl'))).toEqual([]);
  });

  it('keeps the user pool, with an app client without hosted UI sign-in (no callback URL to return to)', () => {
    const client = resourceOf(synthesized.statelessTemplate, synthesized.stateless.settingsClient!).Properties;
    expect(client.AllowedOAuthFlows).toBeUndefined();
    expect(client.CallbackURLs).toBeUndefined();
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.ReadAttributes).toContain('custom:business_id');
    expect(client.WriteAttributes).toEqual(['name']);
    synthesized.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: [{ Ref: logicalIdOf(synthesized.stateless.settingsClient!) }], Issuer: Match.anyValue() },
    });
  });
});

describe('admin context validation', () => {
  it.each([
    [{ [CONTEXT_KEYS.adminJwtIssuer]: 'https://auth.echo.example' }, /must be set together/],
    [{ [CONTEXT_KEYS.adminJwtAudience]: 'echo-web' }, /must be set together/],
    [{ [CONTEXT_KEYS.adminJwtIssuer]: 'http://auth.echo.example', [CONTEXT_KEYS.adminJwtAudience]: 'a' }, /https URL/],
    [{ [CONTEXT_KEYS.adminJwtIssuer]: 'https://auth.echo.example', [CONTEXT_KEYS.adminJwtAudience]: ' , ' }, /no audience/],
    [{ [CONTEXT_KEYS.auditRetentionDays]: '0' }, /auditRetentionDays/],
    [{ [CONTEXT_KEYS.auditRetentionDays]: '12.5' }, /auditRetentionDays/],
  ])('refuses %j', (context, message) => {
    expect(() => createApp({ skipBundling: true, context })).toThrow(message);
  });
});
