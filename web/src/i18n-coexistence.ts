/**
 * The words of "Connect with Facebook" (Embedded Signup), of the AI/owner hand-off in the thread,
 * and of what Meta's coexistence adds to the page (who sent a message, the chat-history import, a
 * connection Meta removed us from). Kept apart from the page's long dictionary, which includes
 * them.
 */

export const COEXISTENCE_TEXTS = {
  'signup.title': [
    'Quickest: connect with Facebook',
    'Lo más rápido: conéctate con Facebook',
    'O mais rápido: conecte com o Facebook',
  ],
  'signup.intro': [
    'Sign in with Facebook and choose your business and number; Echo does the rest. No Meta app, token or webhook to set up.',
    'Inicia sesión con Facebook y elige tu negocio y tu número; Echo hace el resto. Sin app de Meta, token ni webhook que configurar.',
    'Entre com o Facebook e escolha sua empresa e seu número; o Echo faz o resto. Sem app da Meta, token ou webhook para configurar.',
  ],
  'signup.question': [
    'Is this number already on the WhatsApp Business app on your phone?',
    '¿Este número ya está en la app WhatsApp Business de tu teléfono?',
    'Este número já está no app WhatsApp Business do seu celular?',
  ],
  'signup.choice.businessApp': [
    'Yes — keep using the WhatsApp Business app',
    'Sí — seguir usando la app WhatsApp Business',
    'Sim — continuar usando o app WhatsApp Business',
  ],
  'signup.choice.businessApp.description': [
    'You keep the app and your chats on your phone. What you send from the phone shows up here, and the AI steps back from a conversation when you reply. Up to 6 months of chats can be imported during the first 24 hours. Echo sends at most 20 messages per second from this number.',
    'Conservas la app y tus chats en el teléfono. Lo que envíes desde el teléfono aparece aquí, y la IA se retira de una conversación cuando tú respondes. Se pueden importar hasta 6 meses de chats durante las primeras 24 horas. Echo envía como máximo 20 mensajes por segundo desde este número.',
    'Você mantém o app e suas conversas no celular. O que você enviar pelo celular aparece aqui, e a IA se afasta de uma conversa quando você responde. Até 6 meses de conversas podem ser importados nas primeiras 24 horas. O Echo envia no máximo 20 mensagens por segundo por este número.',
  ],
  'signup.choice.newNumber': [
    'No — a new number for Echo',
    'No — un número nuevo para Echo',
    'Não — um número novo para o Echo',
  ],
  'signup.choice.newNumber.description': [
    'The number must not be on any WhatsApp app. Facebook checks it with a code by SMS or call, and Echo registers it for you.',
    'El número no debe estar en ninguna app de WhatsApp. Facebook lo verifica con un código por SMS o llamada, y Echo lo registra por ti.',
    'O número não pode estar em nenhum app do WhatsApp. O Facebook o confirma com um código por SMS ou ligação, e o Echo o registra para você.',
  ],
  'signup.button': [
    'Connect with Facebook',
    'Conectar con Facebook',
    'Conectar com o Facebook',
  ],
  'signup.loading': [
    'Loading Facebook…',
    'Cargando Facebook…',
    'Carregando o Facebook…',
  ],
  'signup.waiting': [
    'Finish in the Facebook window…',
    'Termina en la ventana de Facebook…',
    'Conclua na janela do Facebook…',
  ],
  'signup.saving': [
    'Connecting your number…',
    'Conectando tu número…',
    'Conectando seu número…',
  ],
  'signup.connected': [
    'Connected through Facebook. Checking the connection…',
    'Conectado con Facebook. Comprobando la conexión…',
    'Conectado pelo Facebook. Verificando a conexão…',
  ],
  'signup.cancelled': [
    'The Facebook window was closed before the end: nothing changed.',
    'La ventana de Facebook se cerró antes de terminar: no cambió nada.',
    'A janela do Facebook foi fechada antes do fim: nada mudou.',
  ],
  'signup.noNumber': [
    'Facebook finished without a phone number: connect again and choose or add one.',
    'Facebook terminó sin un número de teléfono: conéctate de nuevo y elige o agrega uno.',
    'O Facebook terminou sem um número de telefone: conecte de novo e escolha ou adicione um.',
  ],
  'signup.error': [
    'Facebook reported a problem: {message}',
    'Facebook informó un problema: {message}',
    'O Facebook informou um problema: {message}',
  ],
  'signup.errorUnknown': [
    'Facebook reported a problem. Try again.',
    'Facebook informó un problema. Inténtalo de nuevo.',
    'O Facebook informou um problema. Tente novamente.',
  ],
  'signup.sdkFailed': [
    'Facebook’s sign-in could not be loaded (blocked or offline). Try again, or connect by hand below.',
    'No se pudo cargar el inicio de sesión de Facebook (bloqueado o sin conexión). Inténtalo de nuevo o conéctate a mano abajo.',
    'Não foi possível carregar o login do Facebook (bloqueado ou sem conexão). Tente novamente ou conecte manualmente abaixo.',
  ],
  'signup.setupFailed': [
    'Your number is saved, but Meta could not finish the setup: {detail}',
    'Tu número está guardado, pero Meta no pudo terminar la configuración: {detail}',
    'Seu número foi salvo, mas a Meta não conseguiu concluir a configuração: {detail}',
  ],
  'signup.retry': [
    'Finish the setup',
    'Terminar la configuración',
    'Concluir a configuração',
  ],
  'signup.manual': [
    'Or use your own Meta app: follow the steps below.',
    'O usa tu propia app de Meta: sigue los pasos de abajo.',
    'Ou use seu próprio app da Meta: siga as etapas abaixo.',
  ],
  'signup.webhooks.none': [
    'Nothing to paste: your number is connected through Echo’s Meta app, which receives its messages.',
    'Nada que pegar: tu número está conectado mediante la app de Meta de Echo, que recibe sus mensajes.',
    'Nada para colar: seu número está conectado pelo app da Meta do Echo, que recebe as mensagens dele.',
  ],
  'handoff.pausedOwner': [
    'You’re replying — AI paused until {time}',
    'Estás respondiendo tú — IA en pausa hasta {time}',
    'Você está respondendo — IA pausada até {time}',
  ],
  'handoff.pausedAdmin': [
    'AI paused until {time}',
    'IA en pausa hasta {time}',
    'IA pausada até {time}',
  ],
  'handoff.active': [
    'The AI answers this conversation',
    'La IA responde esta conversación',
    'A IA responde esta conversa',
  ],
  'handoff.resume': [
    'Resume AI',
    'Reanudar IA',
    'Retomar IA',
  ],
  'handoff.pause': [
    'Pause AI',
    'Pausar IA',
    'Pausar IA',
  ],
  'handoff.resumed': [
    'The AI answers this conversation again.',
    'La IA vuelve a responder esta conversación.',
    'A IA voltou a responder esta conversa.',
  ],
  'handoff.tag': [
    'AI paused',
    'IA en pausa',
    'IA pausada',
  ],
  'message.sentBy.ownerApp': [
    'Sent from the WhatsApp Business app',
    'Enviado desde la app WhatsApp Business',
    'Enviada pelo app WhatsApp Business',
  ],
  'message.sentBy.ai': [
    'AI reply',
    'Respuesta de la IA',
    'Resposta da IA',
  ],
  'message.imported': [
    'Imported from your chat history',
    'Importado de tu historial de chats',
    'Importada do seu histórico de conversas',
  ],
  'disabled.partnerRemoved': [
    'Meta disconnected this number from Echo on {date} ({reason}). Connect with Facebook again to reconnect it.',
    'Meta desconectó este número de Echo el {date} ({reason}). Conéctate con Facebook de nuevo para volver a conectarlo.',
    'A Meta desconectou este número do Echo em {date} ({reason}). Conecte com o Facebook de novo para reconectá-lo.',
  ],
  'disabled.reason.PRIMARY_INACTIVITY': [
    'the WhatsApp Business app was not opened on the phone for too long',
    'la app WhatsApp Business no se abrió en el teléfono durante demasiado tiempo',
    'o app WhatsApp Business ficou tempo demais sem ser aberto no celular',
  ],
  'disabled.reason.COMPANION_INACTIVITY': [
    'the number was not used with Echo for too long',
    'el número no se usó con Echo durante demasiado tiempo',
    'o número ficou tempo demais sem ser usado com o Echo',
  ],
  'disabled.reason.USER': [
    'it was disconnected from the WhatsApp Business app',
    'se desconectó desde la app WhatsApp Business',
    'ele foi desconectado pelo app WhatsApp Business',
  ],
  'disabled.reason.other': [
    'Meta’s reason: {code}',
    'motivo de Meta: {code}',
    'motivo da Meta: {code}',
  ],
  'disabled.reason.unknown': [
    'no reason given',
    'sin motivo indicado',
    'sem motivo informado',
  ],
  'history.importing': [
    'Importing your chat history: {progress} % ({messages} messages so far)',
    'Importando tu historial de chats: {progress} % ({messages} mensajes hasta ahora)',
    'Importando seu histórico de conversas: {progress} % ({messages} mensagens até agora)',
  ],
  'history.complete': [
    'Chat history imported: {messages} messages.',
    'Historial de chats importado: {messages} mensajes.',
    'Histórico de conversas importado: {messages} mensagens.',
  ],
  'history.declined': [
    'The chat history was not shared: only new messages appear here.',
    'El historial de chats no se compartió: aquí solo aparecen los mensajes nuevos.',
    'O histórico de conversas não foi compartilhado: só as mensagens novas aparecem aqui.',
  ],
} satisfies Record<string, readonly [en: string, es: string, ptBR: string]>;
