/**
 * Infra test files synthesize the app again and again; aws-cdk-lib's built-in CloudFormation
 * validation (a WebAssembly rules engine) adds seconds to the first synthesis of each file.
 * `test/infra/cloudformation-rules.test.ts` turns it back on and asserts it passes, for the same
 * app variants the other files cover. `CDK_VALIDATION=true npm run test:infra` runs it everywhere.
 */
process.env.CDK_VALIDATION ??= 'false';
