import { synthesizeTemplates, type SynthesizedTemplates } from '../../local/synth';

let cached: SynthesizedTemplates | undefined;

/** The stacks' templates, synthesized once per test worker (synthesis takes seconds). */
export function synthesizedTemplates(): SynthesizedTemplates {
  cached ??= synthesizeTemplates();
  return cached;
}
