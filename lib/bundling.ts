/**
 * How every Lambda function of this app is bundled, in one place: `EchoFunction` passes these
 * settings to `NodejsFunction` (which runs esbuild locally), and the bench (`bench/run.ts`) runs
 * esbuild with {@link WEBHOOK_BUNDLING} to measure exactly what the stack deploys.
 *
 * Imports nothing at run time, so the bench does not load aws-cdk-lib.
 */
import type { BuildOptions } from 'esbuild';

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
 * esbuild options equivalent to what `NodejsFunction` runs for the webhook (add `entryPoints` and
 * `outfile`).
 * @example
 * await build({ ...WEBHOOK_BUNDLING, entryPoints: [entry], outfile: 'out/webhook.js' });
 */
export const WEBHOOK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: LAMBDA_BUNDLING.target,
  format: LAMBDA_BUNDLING.format,
  minify: LAMBDA_BUNDLING.minify,
  keepNames: LAMBDA_BUNDLING.keepNames,
  sourcemap: LAMBDA_BUNDLING.sourceMap,
  external: [...LAMBDA_BUNDLING.externalModules],
};
