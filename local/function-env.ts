/**
 * One process environment for all the functions the local runtime runs in-process. In AWS each
 * function has its own; here they share `process.env`, which works because they agree on what they
 * share (table names, queue URLs, the bus). This module checks that they do, and says which
 * function needs what when they do not.
 */

/** Raised when two functions need different values for one variable; its message is one line. */
export class FunctionEnvConflictError extends Error {}

/**
 * Variables that legitimately differ per function (Powertools' service name and log level, Lambda's
 * own `AWS_LAMBDA_*`): applied only while that function's module is imported (its cold start).
 */
export const FUNCTION_SCOPED = /^(POWERTOOLS_|AWS_LAMBDA_)/;

/** Variables that mean nothing in-process (the Node.js process is already running). */
export const NOT_APPLIED_LOCALLY = new Set(['NODE_OPTIONS']);

export interface FunctionEnvironment {
  /** Key of the function in {@link MergedEnvironment.scoped} (its logical id). */
  id: string;
  /** Short name, for error messages (`send`). */
  name: string;
  env: Record<string, string>;
}

export interface MergedEnvironment {
  /** What every function sees, overrides included. */
  shared: Record<string, string>;
  /** Per function id: its {@link FUNCTION_SCOPED} variables. */
  scoped: Record<string, Record<string, string>>;
}

/**
 * Merges the functions' environments. A variable in `overrides` with a value replaces whatever the
 * functions say (the local runtime's own URLs, the responder…); one with `undefined` is merged like
 * any other.
 * @example
 * mergeFunctionEnvironments([{ id: 'WebhookFn', name: 'webhook', env: { T: 'a' } }, { id: 'SendFn', name: 'send', env: { T: 'a', U: 'b' } }], {})
 * // { shared: { T: 'a', U: 'b' }, scoped: { WebhookFn: {}, SendFn: {} } }
 * @throws FunctionEnvConflictError when two functions give one variable different values
 */
export function mergeFunctionEnvironments(
  functions: FunctionEnvironment[],
  overrides: Record<string, string | undefined>,
): MergedEnvironment {
  const shared: Record<string, string> = {};
  const owner: Record<string, string> = {};
  const scoped: Record<string, Record<string, string>> = {};
  for (const fn of functions) {
    scoped[fn.id] = {};
    for (const [key, value] of Object.entries(fn.env)) {
      if (NOT_APPLIED_LOCALLY.has(key)) continue;
      if (FUNCTION_SCOPED.test(key)) {
        scoped[fn.id][key] = value;
        continue;
      }
      if (overrides[key] !== undefined) continue;
      if (key in shared && shared[key] !== value) {
        throw new FunctionEnvConflictError(
          `functions ${owner[key]} and ${fn.name} need different values for ${key} (${JSON.stringify(shared[key])} vs ` +
            `${JSON.stringify(value)}), but run in one process locally: give them the same value or distinct variable names`,
        );
      }
      shared[key] = value;
      owner[key] ??= fn.name;
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) shared[key] = value;
  }
  return { shared, scoped };
}
