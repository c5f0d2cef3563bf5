import { existsSync } from 'node:fs';

/**
 * Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). Flags: no
 * sandbox (CI runs as root), and no background networking, which this machine's closed network
 * would refuse many times a second.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A missing browser: the message says everything, so jest prints it without a stack trace. */
export class ChromiumMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

/**
 * Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. Call it where the test
 * file is loaded, not in a hook: a missing browser then fails the file once, in one line, instead
 * of failing each of its tests with the same stack trace.
 */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new ChromiumMissingError(
      `Chromium is not installed at ${path}: the browser tests need it. Run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  }
  return path;
}
