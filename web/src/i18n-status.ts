/**
 * The words of the connection's status: shown by the settings page's status card and by the status
 * widget on Echo's dashboard. Apart from the page's dictionary (which includes them) so that the
 * widget's script carries these few texts, not all of the page's.
 */
import { fill, LOCALE_INDEX, type Locale, type Texts } from './locale';

export const STATUS_TEXTS = {
  'status.connected': [
    'Connected',
    'Conectado',
    'Conectado',
  ],
  'status.notConnected': [
    'Not connected',
    'No conectado',
    'Não conectado',
  ],
  'status.loading': [
    'Checking your connection…',
    'Comprobando tu conexión…',
    'Verificando sua conexão…',
  ],
  'status.lastInbound': [
    'Last message received',
    'Último mensaje recibido',
    'Última mensagem recebida',
  ],
  'status.noMessages': [
    'No messages yet',
    'Aún no hay mensajes',
    'Nenhuma mensagem ainda',
  ],
  'status.needsAttention': [
    'Needs attention',
    'Requiere atención',
    'Precisa de atenção',
  ],
  'widget.title': [
    'WhatsApp',
    'WhatsApp',
    'WhatsApp',
  ],
  'widget.open': [
    'Open WhatsApp settings',
    'Abrir la configuración de WhatsApp',
    'Abrir as configurações do WhatsApp',
  ],
  'widget.attention.unverified': [
    'The number is saved but not tested yet: run the connection test to finish connecting.',
    'El número está guardado pero aún sin probar: ejecuta la prueba de conexión para terminar.',
    'O número está salvo, mas ainda não foi testado: execute o teste de conexão para concluir.',
  ],
  'widget.attention.testFailed': [
    'The last connection test failed: open the settings to see what to fix.',
    'La última prueba de conexión falló: abre la configuración para ver qué corregir.',
    'O último teste de conexão falhou: abra as configurações para ver o que corrigir.',
  ],
  'widget.attention.disabled': [
    'The connection is switched off: open the settings to connect again.',
    'La conexión está desactivada: abre la configuración para volver a conectar.',
    'A conexão está desativada: abra as configurações para conectar de novo.',
  ],
  'widget.attention.webhook': [
    'Your provider did not accept Echo’s webhook, so customer messages may not arrive.',
    'Tu proveedor no aceptó el webhook de Echo, así que los mensajes de los clientes podrían no llegar.',
    'Seu provedor não aceitou o webhook do Echo, então as mensagens dos clientes podem não chegar.',
  ],
  'widget.attention.credentialsRejected': [
    'Your provider rejected this number’s credentials: nothing can be sent until new ones are saved in the settings.',
    'Tu proveedor rechazó las credenciales de este número: no se puede enviar nada hasta guardar unas nuevas en la configuración.',
    'Seu provedor recusou as credenciais deste número: nada pode ser enviado até salvar novas nas configurações.',
  ],
  'widget.attention.quality': [
    'WhatsApp rates your number’s quality as low: messages may soon be limited.',
    'WhatsApp califica como baja la calidad de tu número: pronto podría limitar tus mensajes.',
    'O WhatsApp classifica como baixa a qualidade do seu número: as mensagens podem ser limitadas em breve.',
  ],
  'widget.signedOut': [
    'Sign in to Echo to see the WhatsApp status.',
    'Inicia sesión en Echo para ver el estado de WhatsApp.',
    'Entre no Echo para ver o status do WhatsApp.',
  ],
  'widget.unavailable': [
    'The WhatsApp status could not be read. Retrying…',
    'No se pudo leer el estado de WhatsApp. Reintentando…',
    'Não foi possível ler o status do WhatsApp. Tentando de novo…',
  ],
} satisfies Texts;

export type StatusKey = keyof typeof STATUS_TEXTS;

/** A status text in `locale`, placeholders filled. */
export function statusText(locale: Locale, key: StatusKey, params?: Record<string, string | number>): string {
  return fill(STATUS_TEXTS[key][LOCALE_INDEX[locale]], params);
}
