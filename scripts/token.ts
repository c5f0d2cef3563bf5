/**
 * `npm run token -- --business <id> [--ttl <seconds>] [--sub <subject>] [--url]`: prints a dev token
 * for the local admin API, signed by the local OIDC issuer's key (`.local/oidc-key.json`). With
 * `--url`, prints the settings page URL signed in as that business instead.
 *
 * The issuer URL comes from the running `npm run dev` (`.local/runtime.json`); without one it is
 * `http://127.0.0.1:$PORT/local-oidc`, which is what the runtime will use on that port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLocalOidcIssuer, DEFAULT_BUSINESS_CLAIM, DEFAULT_TOKEN_TTL_SECONDS, LOCAL_ISSUER_PATH } from '../local/oidc';
import { DEFAULT_STATE_FILE, type RuntimeStateFile } from '../local/state';

export class TokenUsageError extends Error {}

export interface TokenCommand {
  businessId: string;
  subject?: string;
  ttlSeconds: number;
  printUrl: boolean;
}

/**
 * @example parseTokenArgs(['--business', 'demo']) // { businessId: 'demo', ttlSeconds: 43200, printUrl: false }
 * @throws TokenUsageError with the usage line when the business is missing or invalid
 */
export function parseTokenArgs(argv: string[]): TokenCommand {
  const usage = 'usage: npm run token -- --business <id> [--ttl <seconds>] [--sub <subject>] [--url]';
  let values: { business?: string; sub?: string; ttl?: string; url?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        business: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string' },
        url: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new TokenUsageError(`${(error as Error).message.split('\n')[0]} ${usage}`);
  }
  if (!values.business || !/^[\w-]{1,128}$/.test(values.business)) throw new TokenUsageError(usage);
  const ttlSeconds = values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new TokenUsageError(`--ttl must be a whole number of seconds; ${usage}`);
  return { businessId: values.business, subject: values.sub, ttlSeconds, printUrl: values.url ?? false };
}

/** Where tokens must come from: the running runtime's issuer, else the one it would use on PORT. */
export function localIssuerSettings(stateFile: string = DEFAULT_STATE_FILE, port = process.env.PORT ?? '3000') {
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RuntimeStateFile;
    if (state.oidc) return { ...state.oidc, url: state.url };
  }
  const url = `http://127.0.0.1:${port}`;
  return { issuer: `${url}${LOCAL_ISSUER_PATH}`, businessClaim: process.env.BUSINESS_CLAIM ?? DEFAULT_BUSINESS_CLAIM, url };
}

function main(): void {
  let command: TokenCommand;
  try {
    command = parseTokenArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`✖ ${(error as Error).message}`);
    process.exit(2);
  }
  const settings = localIssuerSettings();
  const oidc = createLocalOidcIssuer({ issuer: settings.issuer, businessClaim: settings.businessClaim });
  const token = oidc.issueToken({ businessId: command.businessId, subject: command.subject, ttlSeconds: command.ttlSeconds });
  console.log(command.printUrl ? `${settings.url}/settings/whatsapp#token=${token}` : token);
}

if (require.main === module) main();
