import { SendFailedError } from '../../../shared/errors';
import type { ConnectionCheck, ProviderCredentials, TestTarget, WhatsAppSender } from '../provider';

/**
 * The connection test's optional last step on a Cloud API BSP: a plain text to `to`, ok when the
 * BSP accepted it. Even "unavailable" is a verdict here: the credentials and the number were
 * already judged by the steps before it.
 * @example await sendTestMessage(sender, 'Meta', credentials, target, '+5215512345678', 'Hola');
 */
export async function sendTestMessage(
  sender: WhatsAppSender,
  bspLabel: string,
  credentials: ProviderCredentials,
  target: TestTarget,
  to: string,
  text: string,
): Promise<ConnectionCheck> {
  try {
    await sender.send({
      credentials,
      from: target.number,
      to,
      content: { type: 'text', text },
      statusCallbackUrl: '',
      // No message key: nothing of ours records the test message or its statuses.
      callbackData: '',
      messageId: 'connection-test',
    });
    return {
      ok: true,
      detail: `${bspLabel} accepted the test message. WhatsApp delivers it only if that number wrote to the business in the last 24 hours.`,
    };
  } catch (error) {
    if (error instanceof SendFailedError) return { ok: false, code: error.code, detail: error.reason };
    throw error;
  }
}
