/**
 * Synthesizes the CDK app in-process, without bundling, and returns the two stacks' templates: the
 * single source the local runtime creates resources and function environments from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../lib/app';
import type { CfnTemplate } from './template';

export interface SynthesizedTemplates {
  stateful: CfnTemplate;
  stateless: CfnTemplate;
  statefulStackName: string;
  statelessStackName: string;
  /** Prefix of connection secret names the stacks were synthesized with (`echo-whatsapp`). */
  secretNamePrefix: string;
}

/**
 * Synthesizes both stacks (no esbuild bundling: asset hashes differ, resources do not) into a
 * throw-away directory.
 * @example
 * const { stateful, stateless } = synthesizeTemplates();
 */
export function synthesizeTemplates(options: { context?: Record<string, unknown> } = {}): SynthesizedTemplates {
  const outdir = mkdtempSync(join(tmpdir(), 'echo-local-synth-'));
  try {
    const { app, stateful, stateless } = createApp({
      skipBundling: true,
      outdir,
      // As the CDK CLI does: construct paths in the metadata name the functions in our logs.
      context: { 'aws:cdk:enable-path-metadata': true, ...options.context },
    });
    const assembly = app.synth();
    return {
      stateful: assembly.getStackByName(stateful.stackName).template as CfnTemplate,
      stateless: assembly.getStackByName(stateless.stackName).template as CfnTemplate,
      statefulStackName: stateful.stackName,
      statelessStackName: stateless.stackName,
      secretNamePrefix: stateful.secretNamePrefix,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
