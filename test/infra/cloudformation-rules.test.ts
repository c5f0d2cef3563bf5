/**
 * CloudFormation's own rules (resource schemas, value limits, best practices), which aws-cdk-lib
 * checks at every synthesis. cdk.json sets `@aws-cdk/core:validateAgainstDefaultRules`, so a
 * finding fails synthesis, `cdk synth` and `cdk deploy` included, instead of being a warning. The
 * other infra files skip the check for speed (test/support/infra-setup.ts); this one runs it on
 * the app variants they cover.
 */
import { VALIDATE_AGAINST_DEFAULT_RULES } from 'aws-cdk-lib/cx-api';
import { createApp } from '../../lib/app';
import { SYNTH_TIMEOUT_MS } from './synth';

process.env.CDK_VALIDATION = 'true';

describe("CloudFormation's default rules", () => {
  it('are errors: cdk.json turns findings into synthesis failures', () => {
    expect(createApp({ skipBundling: true }).app.node.tryGetContext(VALIDATE_AGAINST_DEFAULT_RULES)).toBe(true);
  });

  it.each([
    ['the default context', {}],
    ['an external OIDC issuer (no Cognito user pool)', { adminJwtIssuer: 'https://auth.echo.example', adminJwtAudience: 'echo-web' }],
    ['no settings page', { settingsPage: 'false' }],
  ])('find nothing in either stack, not even a warning, with %s', (_, context) => {
    // Prepare
    const echo = createApp({ skipBundling: true, context });
    // Synthesis reports findings through console.error (and, being errors, throws).
    const reported: string[] = [];
    const consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void reported.push(args.join(' ')));

    // Act
    try {
      echo.app.synth();
    } finally {
      consoleError.mockRestore();
    }

    // Assess
    expect(reported).toEqual([]);
  }, SYNTH_TIMEOUT_MS);
});
