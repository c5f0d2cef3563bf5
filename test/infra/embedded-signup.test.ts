/**
 * Echo's own Meta app in the deployment (context `metaAppId`, `metaEmbeddedSignupConfigId`): the
 * admin function may read the `meta-app` secret (and nothing more of it) for the Embedded Signup
 * code exchange, and the settings page's CSP admits Facebook's SDK on the page only.
 */
import { SETTINGS_PAGE_PATH } from '../../lib/constructs/web-hosting';
import { actionsOf, environmentOf, identityStatements, logicalIdOf, resourcesOf, SYNTH_TIMEOUT_MS, synthesizeWithoutBundling, type SynthesizedApp } from './synth';

jest.setTimeout(SYNTH_TIMEOUT_MS);

describe('Connect with Facebook in the deployment', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeWithoutBundling({ metaAppId: '900000000000001', metaEmbeddedSignupConfigId: '800000000000001' });
  });

  it('gives the admin function the app id and read access to the meta-app secret only', () => {
    // Prepare
    const { stateless, statelessTemplate } = synthesized;
    const role = logicalIdOf(stateless.admin.echoFunction.role);

    // Act
    const env = environmentOf(statelessTemplate, stateless.admin.function);
    const reads = identityStatements(statelessTemplate, role).filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'));

    // Assess
    expect(env.META_APP_ID).toBe('900000000000001');
    expect(JSON.stringify(env.META_APP_SECRET_ARN)).toContain('MetaAppSecret');
    const metaAppRead = reads.find((statement) => JSON.stringify(resourcesOf(statement)).includes('MetaAppSecret'));
    expect(metaAppRead && actionsOf(metaAppRead)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it("admits Facebook's SDK in the CSP of the settings page's path, and nowhere else", () => {
    // Prepare
    const { statelessTemplate } = synthesized;
    const policies = statelessTemplate.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    // The policy joins the sign-in origin (a deploy-time token) into it: read the literal parts, the token as <origin>.
    const flatten = (value: unknown): string =>
      typeof value === 'string' ? value : Array.isArray(value) ? value.map(flatten).join('') : (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'] ? flatten((value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]) : '<origin>';
    const cspOf = (logicalId: string) => flatten(policies[logicalId]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const [distribution] = Object.values(statelessTemplate.findResources('AWS::CloudFront::Distribution'));
    const config = distribution!.Properties.DistributionConfig;

    // Act
    const page = (config.CacheBehaviors as Array<{ PathPattern: string; ResponseHeadersPolicyId: { Ref: string } }>).find((behavior) => behavior.PathPattern === `${SETTINGS_PAGE_PATH}*`);
    const pageCsp = cspOf(page!.ResponseHeadersPolicyId.Ref);
    const defaultCsp = cspOf(config.DefaultCacheBehavior.ResponseHeadersPolicyId.Ref);

    // Assess
    expect(pageCsp).toMatch(/script-src 'self' https:\/\/connect\.facebook\.net/);
    expect(pageCsp).toMatch(/frame-src https:\/\/www\.facebook\.com/);
    expect(pageCsp).toContain("frame-ancestors 'none'");
    expect(defaultCsp).not.toContain('facebook');
  });
});
