import { FunctionEnvConflictError, mergeFunctionEnvironments } from '../../../local/function-env';

describe('mergeFunctionEnvironments', () => {
  it('shares what the functions agree on and keeps Powertools and AWS_LAMBDA_* variables per function', () => {
    const merged = mergeFunctionEnvironments(
      [
        { id: 'WebhookFn', name: 'webhook', env: { MESSAGES_TABLE: 'm', POWERTOOLS_SERVICE_NAME: 'whatsapp-webhook', NODE_OPTIONS: '--enable-source-maps' } },
        { id: 'SendFn', name: 'send', env: { MESSAGES_TABLE: 'm', OUTBOUND_QUEUE_URL: 'q', POWERTOOLS_SERVICE_NAME: 'whatsapp-send' } },
      ],
      {},
    );

    expect(merged).toEqual({
      shared: { MESSAGES_TABLE: 'm', OUTBOUND_QUEUE_URL: 'q' },
      scoped: { WebhookFn: { POWERTOOLS_SERVICE_NAME: 'whatsapp-webhook' }, SendFn: { POWERTOOLS_SERVICE_NAME: 'whatsapp-send' } },
    });
  });

  it('fails in one line naming both functions and the variable when they disagree', () => {
    const merge = () =>
      mergeFunctionEnvironments(
        [
          { id: 'WebhookFn', name: 'webhook', env: { SECRETS_CACHE_TTL_SECONDS: '300' } },
          { id: 'SendFn', name: 'send', env: { SECRETS_CACHE_TTL_SECONDS: '60' } },
        ],
        {},
      );

    expect(merge).toThrow(FunctionEnvConflictError);
    expect(merge).toThrow(
      'functions webhook and send need different values for SECRETS_CACHE_TTL_SECONDS ("300" vs "60"), but run in one process locally',
    );
  });

  it('lets local overrides win without a conflict, and merges variables whose override is undefined', () => {
    const merged = mergeFunctionEnvironments(
      [
        { id: 'SendFn', name: 'send', env: { WEBHOOK_BASE_URL: 'https://api.example.com', TWILIO_API_BASE_URL: 'https://api.twilio.com' } },
        { id: 'SyncFn', name: 'template-sync', env: { WEBHOOK_BASE_URL: 'https://other.example.com' } },
      ],
      { WEBHOOK_BASE_URL: 'http://127.0.0.1:3000', TWILIO_API_BASE_URL: undefined, RESPONDER: 'demo' },
    );

    expect(merged.shared).toEqual({
      WEBHOOK_BASE_URL: 'http://127.0.0.1:3000',
      TWILIO_API_BASE_URL: 'https://api.twilio.com',
      RESPONDER: 'demo',
    });
  });
});
