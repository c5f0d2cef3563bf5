import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthesizedTemplates } from '../../local/synth';

/** Names the file in which the run's global setup left the synthesized templates. */
export const TEMPLATES_FILE_ENV = 'ECHO_TEST_TEMPLATES_FILE';

let cached: SynthesizedTemplates | undefined;

/**
 * The stacks' templates: synthesized once per run by the integration and browser projects' global
 * setup (`writeSynthesizedTemplates`), else here, once per test file. Synthesis loads aws-cdk-lib
 * and takes seconds; reading the file takes milliseconds.
 */
export function synthesizedTemplates(): SynthesizedTemplates {
  const file = process.env[TEMPLATES_FILE_ENV];
  cached ??= file ? (JSON.parse(readFileSync(file, 'utf8')) as SynthesizedTemplates) : synthesize();
  return cached;
}

/**
 * Synthesizes the templates into `dir/templates.json` and returns the file. Without CDK's
 * CloudFormation rules: `test/infra/cloudformation-rules.test.ts` checks those, and they add
 * seconds here.
 */
export function writeSynthesizedTemplates(dir: string): string {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'templates.json');
    writeFileSync(file, JSON.stringify(synthesize()));
    return file;
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

function synthesize(): SynthesizedTemplates {
  // Loaded only here, so test files that read the shared file never load the CDK.
  const { synthesizeTemplates } = require('../../local/synth') as typeof import('../../local/synth');
  return synthesizeTemplates();
}
