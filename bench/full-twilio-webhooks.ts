// Baseline only: stands in for `twilio/lib/webhooks/webhooks` so the benchmark can bundle the very
// same webhook with the full Twilio client, which is what a plain `import twilio from 'twilio'` costs.
import twilio from 'twilio';

export const validateRequest = twilio.validateRequest;
export const getExpectedTwilioSignature = twilio.getExpectedTwilioSignature;
