/**
 * Infra test files synthesize the app again and again; aws-cdk-lib's built-in CloudFormation
 * validation (a WebAssembly rules engine) adds seconds to the first synthesis of each file.
 * `test/infra/cloudformation-rules.test.ts` turns it back on and asserts that it finds nothing, for
 * the default app and the admin variants. `CDK_VALIDATION=true npm run test:infra` runs it in every file.
 */
process.env.CDK_VALIDATION ??= 'false';
