/**
 * How every Lambda function of this app is bundled, in one place: `EchoFunction` passes these
 * settings to `NodejsFunction` (which runs esbuild locally), and the bench (`bench/run.ts`) runs
 * esbuild with {@link bundlingFor} to measure exactly what the stack deploys.
 *
 * Imports nothing from aws-cdk-lib, so the bench does not load the CDK.
 */
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';

/** The repository root: bundling resolves entries, the lock file and `node_modules` from here. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * The entry file of a handler, by the house layout `lambdas/handlers/<name>/index.ts` (exporting `handler`).
 * @example
 * handlerEntry('send'); // '<repo>/lambdas/handlers/send/index.ts'
 */
export function handlerEntry(handlerName: string): string {
  return path.join(REPO_ROOT, 'lambdas', 'handlers', handlerName, 'index.ts');
}

/** The bundling decisions, in the vocabulary of both esbuild and `NodejsFunction`. */
export const LAMBDA_BUNDLING = {
  /** Matches the Lambda runtime (nodejs22.x). */
  target: 'node22',
  /** CommonJS: the handler is `index.handler` in `index.js`. */
  format: 'cjs',
  minify: true,
  /**
   * Minification would rename classes, and EchoError sets `name` from `new.target.name`
   * (lambdas/shared/errors.ts): without this every error would log under a one-letter name.
   */
  keepNames: true,
  /** No source maps: they grow the bundle and `--enable-source-maps` slows cold starts. */
  sourceMap: false,
  /**
   * The Node.js 22 runtime ships AWS SDK v3, so the SDK clients are not bundled: smaller bundle,
   * faster cold start. The price: production runs the runtime's SDK version, not the one in
   * package-lock.json; bundle it (drop this) if a handler needs a newer SDK feature.
   */
  externalModules: ['@aws-sdk/*'],
} as const;

/**
 * esbuild options equivalent to what `NodejsFunction` runs for every function (add `entryPoints`
 * and `outfile`, or use {@link bundlingFor}).
 * @example
 * await build({ ...LAMBDA_ESBUILD_OPTIONS, entryPoints: [handlerEntry('send')], outfile: 'out/send.js' });
 */
export const LAMBDA_ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: LAMBDA_BUNDLING.target,
  format: LAMBDA_BUNDLING.format,
  minify: LAMBDA_BUNDLING.minify,
  keepNames: LAMBDA_BUNDLING.keepNames,
  sourcemap: LAMBDA_BUNDLING.sourceMap,
  external: [...LAMBDA_BUNDLING.externalModules],
};

/**
 * The webhook's esbuild options: the same as every function's (kept as a name for the bench).
 * @example
 * await build({ ...WEBHOOK_BUNDLING, entryPoints: [handlerEntry('webhook')], outfile: 'out/webhook.js' });
 */
export const WEBHOOK_BUNDLING: BuildOptions = LAMBDA_ESBUILD_OPTIONS;

/**
 * esbuild options that produce the very bytes the stack deploys for one handler (add `outfile`).
 * @example
 * await build({ ...bundlingFor('send'), outfile: 'bench/out/send.js', logLevel: 'error' });
 */
export function bundlingFor(handlerName: string): BuildOptions & { entryPoints: string[] } {
  return { ...LAMBDA_ESBUILD_OPTIONS, entryPoints: [handlerEntry(handlerName)] };
}
