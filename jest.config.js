/**
 * Three projects, one per kind of test:
 * - unit: pure code and handlers with fakes; no network.
 * - infra: CDK template assertions and cdk-nag.
 * - integration: real AWS SDK v3 clients against moto's server, started once per run.
 * - browser: the settings page in Debian's Chromium (playwright-core) against the whole local runtime.
 * Type checking happens in `npm test` through `tsc --noEmit`; ts-jest only transpiles.
 *
 * Every project runs in `test/support/quiet-environment.ts`: what a test writes to stdout/stderr
 * (Powertools' JSON lines, CDK's "Bundling asset" lines) is shown only when that test fails.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const base = {
  testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/moto-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
    },
    {
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/moto-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
    },
  ],
};
