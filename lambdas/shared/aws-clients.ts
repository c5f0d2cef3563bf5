/**
 * SDK client settings for the request path: fail fast enough that a webhook can answer within
 * Twilio's 15-second limit even after the SDK's own retries. `AWS_ENDPOINT_URL` (moto, locally and
 * in tests) is read by the SDK itself.
 */
export const fastClientConfig = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
} as const;
