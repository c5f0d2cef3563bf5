/**
 * Builds the settings page (`/settings/whatsapp`) into `outDir`: `index.html`, `app.js` (one
 * minified ES2020 bundle of `src/main.ts`) and `app.css`; and the dashboard's status widget,
 * `status-widget.js` (one script: `src/status-widget.ts` with its stylesheet inlined). Synchronous
 * so that CDK synth and the local runtime can call it inline; `npm run build:web` runs it into
 * `web/dist/`.
 */
import { buildSync } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const WEB_DIR = __dirname;

/**
 * @example buildWeb('/tmp/site') // writes /tmp/site/{index.html,app.js,app.css}
 */
export function buildWeb(outDir: string): void {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  buildSync({
    entryPoints: [join(WEB_DIR, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    // UTF-8 output: the three dictionaries are much smaller than as \u escapes (served as utf-8).
    charset: 'utf8',
    tsconfig: join(WEB_DIR, 'tsconfig.json'),
    logLevel: 'silent',
  });
  buildSync({
    entryPoints: [join(WEB_DIR, 'styles.css')],
    outfile: join(out, 'app.css'),
    bundle: true,
    minify: true,
    charset: 'utf8',
    target: ['chrome90', 'edge90', 'firefox90', 'safari14'],
    logLevel: 'silent',
  });
  copyFileSync(join(WEB_DIR, 'index.html'), join(out, 'index.html'));
  buildStatusWidget(out);
}

/** The widget is embedded as one script: its CSS (the page's tokens and badge) travels inside it. */
function buildStatusWidget(out: string): void {
  const css = buildSync({
    entryPoints: [join(WEB_DIR, 'css', 'status-widget.css')],
    bundle: true,
    minify: true,
    write: false,
    outdir: out,
    charset: 'utf8',
    target: ['chrome90', 'edge90', 'firefox90', 'safari14'],
    logLevel: 'silent',
  }).outputFiles[0].text;
  buildSync({
    entryPoints: [join(WEB_DIR, 'src', 'status-widget.ts')],
    outfile: join(out, 'status-widget.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    charset: 'utf8',
    define: { __STATUS_WIDGET_CSS__: JSON.stringify(css) },
    tsconfig: join(WEB_DIR, 'tsconfig.json'),
    logLevel: 'silent',
  });
}

if (require.main === module) {
  const outDir = join(WEB_DIR, 'dist');
  buildWeb(outDir);
  console.log(`settings page built into ${outDir}`);
}
