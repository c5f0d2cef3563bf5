/**
 * Four projects, one per kind of test, run together by `npm test`:
 * - unit: pure code and handlers with fakes; no network.
 * - infra: CDK template assertions and cdk-nag.
 * - integration: real AWS SDK v3 clients against moto's server, started once per run.
 * - browser: the settings page in Debian's Chromium (playwright-core) against the whole local runtime.
 * Type checking happens in `npm test` through `tsc --noEmit`; ts-jest only transpiles (tsconfig's
 * `isolatedModules` makes it compile file by file).
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
// One moto server and one synthesis of the templates for the whole run, shared by the two
// projects that need them (jest runs a teardown module named twice once).
const withMoto = {
  globalSetup: '<rootDir>/test/support/moto-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
};

module.exports = {
  // Jest's default on two cores is one worker: one test file at a time. Many files spend much of
  // their time waiting on moto, Chromium or a timer, so two workers finish the run in about 70%
  // of the time on two cores (measured: 121 s against 170 s); a third adds nothing.
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/infra-setup.ts'],
    },
    { ...base, ...withMoto, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    {
      ...base,
      ...withMoto,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      // Checks Chromium once for the run, then the shared setup above.
      globalSetup: '<rootDir>/test/support/browser-global-setup.ts',
    },
  ],
};
