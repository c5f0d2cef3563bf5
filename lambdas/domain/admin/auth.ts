import { AdminNotFoundError, AdminUnauthorizedError } from './errors';

/** JWT claims as API Gateway's JWT authorizer passes them (values are strings, numbers, booleans or arrays). */
export type JwtClaims = Record<string, unknown>;

export interface Caller {
  /** The business the token acts for. */
  businessId: string;
  /** The token's subject. */
  actor: string;
}

/**
 * Who is calling, from the authorizer's claims: the business claim and `sub`. API Gateway already
 * verified the token (signature, issuer, audience, expiry); this only reads it.
 * Throws `AdminUnauthorizedError` without claims (a request that did not pass the authorizer).
 */
export function callerOf(claims: JwtClaims | undefined, businessClaim: string): Caller | undefined {
  if (!claims) throw new AdminUnauthorizedError('A valid bearer token is required.');
  const business = claims[businessClaim];
  const sub = claims.sub;
  if (typeof business !== 'string' || business === '') return undefined;
  return { businessId: business, actor: typeof sub === 'string' && sub !== '' ? sub : 'unknown' };
}

/**
 * The caller, when the token acts for the business in the path. A token without the business
 * claim, or for another business, gets the same 404 as a business that does not exist: the API
 * never reveals whether another business exists.
 */
export function authorize(caller: Caller | undefined, pathBusinessId: string | undefined): Caller {
  if (!caller || pathBusinessId === undefined || caller.businessId !== pathBusinessId) {
    throw new AdminNotFoundError('Not found.');
  }
  return caller;
}
