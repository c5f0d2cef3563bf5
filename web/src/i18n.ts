/**
 * Every visible string of the settings page, in English, Spanish and Brazilian Portuguese. The
 * language comes from the browser's preferences (`navigator.languages`); dates and times use the
 * same locale through `Intl`. `{name}` placeholders are filled by `translate`.
 */

import { COEXISTENCE_TEXTS } from './i18n-coexistence';
import { MEDIA_TEXTS } from './i18n-media';
import { STATUS_TEXTS } from './i18n-status';
import { fill, type Locale } from './locale';

export { chooseLocale, LOCALES, type Locale } from './locale';

/**
 * The texts, one entry per key: `[en, es, pt-BR]`. Side by side so a translator sees the English
 * next to each translation, and (keys written once) the bundle stays small.
 */
const TEXTS = {
  ...STATUS_TEXTS,
  ...COEXISTENCE_TEXTS,
  ...MEDIA_TEXTS,
  'page.title': [
    'WhatsApp settings',
    'Configuración de WhatsApp',
    'Configurações do WhatsApp',
  ],
  'page.eyebrow': [
    'Settings',
    'Configuración',
    'Configurações',
  ],
  'page.heading': [
    'WhatsApp',
    'WhatsApp',
    'WhatsApp',
  ],
  'page.lead': [
    'Connect your WhatsApp Business number to Echo and follow your conversations.',
    'Conecta tu número de WhatsApp Business a Echo y sigue tus conversaciones.',
    'Conecte seu número do WhatsApp Business ao Echo e acompanhe suas conversas.',
  ],
  'nav.skip': [
    'Skip to content',
    'Saltar al contenido',
    'Pular para o conteúdo',
  ],
  'nav.sections': [
    'Sections',
    'Secciones',
    'Seções',
  ],
  'nav.setup': [
    'Set up',
    'Configurar',
    'Configurar',
  ],
  'nav.conversations': [
    'Conversations',
    'Conversaciones',
    'Conversas',
  ],

  'auth.signIn': [
    'Sign in',
    'Iniciar sesión',
    'Entrar',
  ],
  'auth.signedOut.title': [
    'Sign in to continue',
    'Inicia sesión para continuar',
    'Entre para continuar',
  ],
  'auth.signedOut.oidc': [
    'Sign in with your Echo account to manage your WhatsApp connection.',
    'Inicia sesión con tu cuenta de Echo para gestionar tu conexión de WhatsApp.',
    'Entre com sua conta do Echo para gerenciar sua conexão do WhatsApp.',
  ],
  'auth.signedOut.token': [
    'You are not signed in. Open the sign-in link you were given for this page.',
    'No has iniciado sesión. Abre el enlace de acceso que recibiste para esta página.',
    'Você não está conectado. Abra o link de acesso que você recebeu para esta página.',
  ],
  'auth.expired.title': [
    'Your session expired',
    'Tu sesión expiró',
    'Sua sessão expirou',
  ],
  'auth.expired.oidc': [
    'For your security you were signed out. Sign in again to continue.',
    'Por tu seguridad se cerró la sesión. Vuelve a iniciar sesión para continuar.',
    'Para sua segurança, você foi desconectado. Entre novamente para continuar.',
  ],
  'auth.expired.token': [
    'For your security you were signed out. Open a new sign-in link to continue.',
    'Por tu seguridad se cerró la sesión. Abre un nuevo enlace de acceso para continuar.',
    'Para sua segurança, você foi desconectado. Abra um novo link de acesso para continuar.',
  ],
  'auth.noBusiness.title': [
    'No business on this account',
    'Esta cuenta no tiene un negocio',
    'Nenhuma empresa nesta conta',
  ],
  'auth.noBusiness.body': [
    'Your sign-in does not say which business it is for. Ask your administrator for access.',
    'Tu inicio de sesión no indica a qué negocio pertenece. Pide acceso a tu administrador.',
    'Seu acesso não indica para qual empresa ele vale. Peça acesso ao seu administrador.',
  ],
  'auth.configError.title': [
    'The page could not load',
    'No se pudo cargar la página',
    'Não foi possível carregar a página',
  ],
  'auth.configError.body': [
    'Its settings could not be read. Reload the page in a moment.',
    'No se pudo leer su configuración. Vuelve a cargar la página en un momento.',
    'As configurações dela não puderam ser lidas. Recarregue a página em instantes.',
  ],
  'auth.signInFailed.title': [
    'Sign-in did not complete',
    'El inicio de sesión no se completó',
    'O login não foi concluído',
  ],
  'auth.signInFailed.body': [
    'The sign-in was cancelled or could not be verified. Try again.',
    'El inicio de sesión se canceló o no se pudo verificar. Inténtalo de nuevo.',
    'O login foi cancelado ou não pôde ser verificado. Tente novamente.',
  ],

  'status.title': [
    'Connection',
    'Conexión',
    'Conexão',
  ],
  'status.detail.none': [
    'No WhatsApp number is connected yet. Follow the steps below.',
    'Todavía no hay ningún número de WhatsApp conectado. Sigue los pasos de abajo.',
    'Nenhum número de WhatsApp conectado ainda. Siga os passos abaixo.',
  ],
  'status.detail.unverified': [
    'Credentials saved. Next: {step} (step {n}).',
    'Credenciales guardadas. Siguiente: {step} (paso {n}).',
    'Credenciais salvas. Próximo: {step} (passo {n}).',
  ],
  'status.detail.connected': [
    'Messages to and from your number go through {provider}.',
    'Los mensajes de tu número pasan por {provider}.',
    'As mensagens do seu número passam pelo provedor {provider}.',
  ],
  'status.number': [
    'WhatsApp number',
    'Número de WhatsApp',
    'Número do WhatsApp',
  ],
  'status.provider': [
    'Provider',
    'Proveedor',
    'Provedor',
  ],
  'status.verifiedName': [
    'Name shown on WhatsApp',
    'Nombre visible en WhatsApp',
    'Nome exibido no WhatsApp',
  ],
  'status.quality': [
    'Quality rating',
    'Calificación de calidad',
    'Classificação de qualidade',
  ],
  'attention.credentialsRejected': [
    '{provider} rejected this number’s credentials (code {code}) on {date}: nothing can be sent until you paste new ones and save.',
    '{provider} rechazó las credenciales de este número (código {code}) el {date}: no se puede enviar nada hasta que pegues unas nuevas y guardes.',
    'O provedor {provider} recusou as credenciais deste número (código {code}) em {date}: nada pode ser enviado até você colar novas e salvar.',
  ],
  'attention.remedy.twilio': [
    'Copy the Auth Token again from the Twilio Console, paste it in step 4 (“Edit the connection” opens the steps) and save, then run the connection test.',
    'Copia de nuevo el Auth Token desde la consola de Twilio, pégalo en el paso 4 (“Editar la conexión” abre los pasos) y guarda; después ejecuta la prueba de conexión.',
    'Copie de novo o Auth Token no Console do Twilio, cole-o no passo 4 (“Editar a conexão” abre os passos) e salve; depois execute o teste de conexão.',
  ],
  'attention.remedy.meta': [
    'Generate a new system user token in Meta Business Suite (Settings → Users → System users), paste it in step 4 (“Edit the connection” opens the steps) and save, then run the connection test.',
    'Genera un nuevo token de usuario del sistema en Meta Business Suite (Configuración → Usuarios → Usuarios del sistema), pégalo en el paso 4 (“Editar la conexión” abre los pasos) y guarda; después ejecuta la prueba de conexión.',
    'Gere um novo token de usuário do sistema no Meta Business Suite (Configurações → Usuários → Usuários do sistema), cole-o no passo 4 (“Editar a conexão” abre os passos) e salve; depois execute o teste de conexão.',
  ],
  'attention.remedy.360dialog': [
    'Generate a new API key in the 360dialog Hub, paste it in step 4 (“Edit the connection” opens the steps) and save, then run the connection test.',
    'Genera una nueva clave API en el Hub de 360dialog, pégala en el paso 4 (“Editar la conexión” abre los pasos) y guarda; después ejecuta la prueba de conexión.',
    'Gere uma nova chave de API no Hub da 360dialog, cole-a no passo 4 (“Editar a conexão” abre os passos) e salve; depois execute o teste de conexão.',
  ],
  'quality.GREEN': [
    'High',
    'Alta',
    'Alta',
  ],
  'quality.YELLOW': [
    'Medium',
    'Media',
    'Média',
  ],
  'quality.RED': [
    'Low',
    'Baja',
    'Baixa',
  ],
  'quality.UNKNOWN': [
    'Not rated yet',
    'Aún sin calificar',
    'Ainda sem classificação',
  ],

  'disconnect.button': [
    'Disconnect',
    'Desconectar',
    'Desconectar',
  ],
  'disconnect.question': [
    'Disconnect this number? Echo stops receiving and sending its WhatsApp messages until you connect again.',
    '¿Desconectar este número? Echo dejará de recibir y enviar sus mensajes de WhatsApp hasta que lo vuelvas a conectar.',
    'Desconectar este número? O Echo deixa de receber e enviar as mensagens de WhatsApp dele até você conectar de novo.',
  ],
  'disconnect.confirm': [
    'Yes, disconnect',
    'Sí, desconectar',
    'Sim, desconectar',
  ],
  'disconnect.cancel': [
    'Cancel',
    'Cancelar',
    'Cancelar',
  ],
  'disconnect.done': [
    'The number was disconnected.',
    'El número se desconectó.',
    'O número foi desconectado.',
  ],

  'setup.title': [
    'Set up',
    'Configurar',
    'Configurar',
  ],
  'setup.intro': [
    'Six steps, about 15 minutes of your time (WhatsApp’s approval can take longer).',
    'Seis pasos, unos 15 minutos de tu tiempo (la aprobación de WhatsApp puede tardar más).',
    'Seis passos, cerca de 15 minutos do seu tempo (a aprovação do WhatsApp pode levar mais).',
  ],
  'setup.progress': [
    'Setup steps',
    'Pasos de configuración',
    'Passos da configuração',
  ],
  'setup.summary.title': [
    'Your WhatsApp number is connected',
    'Tu número de WhatsApp está conectado',
    'Seu número do WhatsApp está conectado',
  ],
  'setup.summary.body': [
    '{number}, through {provider}.',
    '{number}, mediante {provider}.',
    '{number}, via {provider}.',
  ],
  'setup.summary.provider': [
    'Through {provider}.',
    'Mediante {provider}.',
    'Via {provider}.',
  ],
  'setup.summary.tested': [
    'Connection test passed on {time}.',
    'La prueba de conexión pasó el {time}.',
    'O teste de conexão passou em {time}.',
  ],
  'setup.edit': [
    'Edit the connection',
    'Editar la conexión',
    'Editar a conexão',
  ],
  'setup.hide': [
    'Hide the steps',
    'Ocultar los pasos',
    'Ocultar os passos',
  ],
  'step.done': [
    'Done',
    'Listo',
    'Concluído',
  ],
  'step.continue': [
    'Continue',
    'Continuar',
    'Continuar',
  ],
  'step.number.short': [
    'Number',
    'Número',
    'Número',
  ],
  'step.provider.short': [
    'Provider',
    'Proveedor',
    'Provedor',
  ],
  'step.provider.title': [
    'Choose your WhatsApp provider',
    'Elige tu proveedor de WhatsApp',
    'Escolha seu provedor de WhatsApp',
  ],
  'step.provider.body': [
    'Echo talks to WhatsApp through a Business Solution Provider (BSP). You keep the account, the number and the bill.',
    'Echo se comunica con WhatsApp a través de un proveedor de soluciones empresariales (BSP). La cuenta, el número y la factura son tuyos.',
    'O Echo fala com o WhatsApp por meio de um provedor de soluções de negócios (BSP). A conta, o número e a fatura são seus.',
  ],
  'provider.legend': [
    'Provider',
    'Proveedor',
    'Provedor',
  ],
  'provider.twilio': [
    'Twilio',
    'Twilio',
    'Twilio',
  ],
  'provider.twilio.description': [
    'Quick self sign-up, pay as you go, works in most countries.',
    'Registro rápido por tu cuenta, pago por uso, disponible en la mayoría de los países.',
    'Cadastro rápido por conta própria, pague pelo uso, disponível na maioria dos países.',
  ],
  'provider.360dialog': [
    '360dialog',
    '360dialog',
    '360dialog',
  ],
  'provider.360dialog.description': [
    'Hosts your number on WhatsApp’s Cloud API for a monthly fee per number; one API key, no webhook to paste.',
    'Aloja tu número en la Cloud API de WhatsApp por una cuota mensual por número; una clave API y ningún webhook que pegar.',
    'Hospeda seu número na Cloud API do WhatsApp por uma mensalidade por número; uma chave de API e nenhum webhook para colar.',
  ],
  'provider.meta': [
    'Meta Cloud API',
    'Meta Cloud API',
    'Meta Cloud API',
  ],
  'provider.meta.description': [
    'WhatsApp’s own API, hosted by Meta: you create an app in Meta for Developers and manage its tokens.',
    'La API propia de WhatsApp, alojada por Meta: creas una app en Meta for Developers y gestionas sus tokens.',
    'A API do próprio WhatsApp, hospedada pela Meta: você cria um app no Meta for Developers e gerencia os tokens dele.',
  ],
  'provider.recommended': [
    'Recommended',
    'Recomendado',
    'Recomendado',
  ],
  'provider.switchNote': [
    'Your number is connected through {current}. Saving the credentials of another provider in step 4 replaces that connection.',
    'Tu número está conectado mediante {current}. Si guardas las credenciales de otro proveedor en el paso 4, reemplazarás esa conexión.',
    'Seu número está conectado via {current}. Salvar as credenciais de outro provedor no passo 4 substitui essa conexão.',
  ],

  'step.account.short': [
    'Account',
    'Cuenta',
    'Conta',
  ],
  'step.account.title': [
    'Create your Twilio account',
    'Crea tu cuenta de Twilio',
    'Crie sua conta na Twilio',
  ],
  'step.account.body': [
    'If your business already has a Twilio account, use it and skip to the last item.',
    'Si tu negocio ya tiene una cuenta de Twilio, úsala y pasa al último punto.',
    'Se sua empresa já tem uma conta na Twilio, use-a e pule para o último item.',
  ],
  'step.account.item1': [
    'Sign up and verify your email address and phone number.',
    'Regístrate y verifica tu correo electrónico y tu número de teléfono.',
    'Cadastre-se e verifique seu e-mail e seu número de telefone.',
  ],
  'step.account.item2': [
    'Upgrade the account by adding billing details: trial accounts cannot register a WhatsApp number.',
    'Actualiza la cuenta agregando datos de facturación: las cuentas de prueba no pueden registrar un número de WhatsApp.',
    'Faça o upgrade da conta adicionando os dados de cobrança: contas de teste não podem registrar um número de WhatsApp.',
  ],
  'step.account.item3': [
    'In the Twilio Console, note the Account SID and Auth Token shown under “Account info”.',
    'En la consola de Twilio, anota el Account SID y el Auth Token que aparecen en “Account info”.',
    'No Console da Twilio, anote o Account SID e o Auth Token mostrados em “Account info”.',
  ],
  'step.account.item4': [
    'Register your WhatsApp number (the “WhatsApp sender”) with WhatsApp Self Sign-up in the Console.',
    'Registra tu número de WhatsApp (el “WhatsApp sender”) con WhatsApp Self Sign-up en la consola.',
    'Registre seu número de WhatsApp (o “WhatsApp sender”) com o WhatsApp Self Sign-up no Console.',
  ],
  'link.signUp': [
    'Sign up for Twilio',
    'Regístrate en Twilio',
    'Cadastre-se na Twilio',
  ],
  'link.console': [
    'Open the Twilio Console',
    'Abrir la consola de Twilio',
    'Abrir o Console da Twilio',
  ],
  'link.selfSignUp': [
    'Twilio guide: WhatsApp Self Sign-up',
    'Guía de Twilio: WhatsApp Self Sign-up',
    'Guia da Twilio: WhatsApp Self Sign-up',
  ],
  'link.newTab': [
    'opens in a new tab',
    'se abre en una pestaña nueva',
    'abre em uma nova aba',
  ],

  'step.approval.short': [
    'Approval',
    'Aprobación',
    'Aprovação',
  ],
  'step.approval.title': [
    'Get your number approved',
    'Consigue la aprobación de tu número',
    'Obtenha a aprovação do seu número',
  ],
  'step.approval.body1': [
    'Meta reviews your business and the display name of your number. It usually takes from a few minutes to a few days; Twilio emails you, and the sender shows as “Online” in the Console once approved.',
    'Meta revisa tu negocio y el nombre visible de tu número. Suele tardar desde unos minutos hasta unos días; Twilio te avisa por correo y el sender aparece como “Online” en la consola cuando está aprobado.',
    'A Meta analisa sua empresa e o nome de exibição do seu número. Costuma levar de alguns minutos a alguns dias; a Twilio avisa por e-mail e o sender aparece como “Online” no Console quando aprovado.',
  ],
  'step.approval.body2': [
    'The number must be able to receive a verification code by SMS or voice call, and must not be in use in the WhatsApp or WhatsApp Business app.',
    'El número debe poder recibir un código de verificación por SMS o llamada, y no puede estar en uso en la app de WhatsApp ni de WhatsApp Business.',
    'O número precisa receber um código de verificação por SMS ou ligação e não pode estar em uso no app WhatsApp ou WhatsApp Business.',
  ],
  'link.numberRequirements': [
    'Which phone numbers can be used with WhatsApp',
    'Qué números de teléfono se pueden usar con WhatsApp',
    'Quais números de telefone podem ser usados com o WhatsApp',
  ],
  'link.sendersApi': [
    'Twilio guide: register more senders with the Senders API',
    'Guía de Twilio: registrar más senders con la Senders API',
    'Guia da Twilio: registrar mais senders com a Senders API',
  ],

  'step.credentials.short': [
    'Credentials',
    'Credenciales',
    'Credenciais',
  ],
  'step.credentials.title': [
    'Enter your Twilio credentials',
    'Ingresa tus credenciales de Twilio',
    'Informe suas credenciais da Twilio',
  ],
  'step.credentials.body': [
    'Echo stores them encrypted and only ever shows the last 4 characters of the Auth Token.',
    'Echo las guarda cifradas y solo muestra los últimos 4 caracteres del Auth Token.',
    'O Echo as guarda criptografadas e só mostra os últimos 4 caracteres do Auth Token.',
  ],
  'form.accountSid': [
    'Account SID',
    'Account SID',
    'Account SID',
  ],
  'form.accountSid.hint': [
    'Starts with AC followed by 32 characters (0–9, a–f).',
    'Empieza con AC seguido de 32 caracteres (0–9, a–f).',
    'Começa com AC seguido de 32 caracteres (0–9, a–f).',
  ],
  'form.authToken': [
    'Auth Token',
    'Auth Token',
    'Auth Token',
  ],
  'form.authToken.hint': [
    '32 characters (0–9, a–f), next to the Account SID in the Console.',
    '32 caracteres (0–9, a–f), junto al Account SID en la consola.',
    '32 caracteres (0–9, a–f), ao lado do Account SID no Console.',
  ],
  'form.authToken.savedHint': [
    'Saved token ends in {last4}. Enter it again (or a new one) to save changes.',
    'El token guardado termina en {last4}. Vuelve a ingresarlo (o uno nuevo) para guardar cambios.',
    'O token salvo termina em {last4}. Informe-o de novo (ou um novo) para salvar alterações.',
  ],
  'form.whatsappNumber': [
    'WhatsApp sender number',
    'Número remitente de WhatsApp',
    'Número remetente do WhatsApp',
  ],
  'form.whatsappNumber.hint': [
    'International format with + and country code, e.g. +14155238886.',
    'Formato internacional con + y código de país, p. ej. +5215512345678.',
    'Formato internacional com + e código do país, ex.: +5511912345678.',
  ],
  'form.messagingServiceSid': [
    'Messaging Service SID',
    'Messaging Service SID',
    'Messaging Service SID',
  ],
  'form.messagingServiceSid.hint': [
    'Only if you send through a Messaging Service: MG followed by 32 characters.',
    'Solo si envías mediante un Messaging Service: MG seguido de 32 caracteres.',
    'Só se você envia por um Messaging Service: MG seguido de 32 caracteres.',
  ],
  'form.optional': [
    'optional',
    'opcional',
    'opcional',
  ],
  'form.businessNumber': [
    'Your WhatsApp Business number',
    'Tu número de WhatsApp Business',
    'Seu número do WhatsApp Business',
  ],
  'form.save': [
    'Save credentials',
    'Guardar credenciales',
    'Salvar credenciais',
  ],
  'form.saving': [
    'Saving…',
    'Guardando…',
    'Salvando…',
  ],
  'form.saved': [
    'Saved. Now paste the webhook URLs into Twilio (step 5).',
    'Guardado. Ahora pega las URL de webhook en Twilio (paso 5).',
    'Salvo. Agora cole as URLs de webhook na Twilio (passo 5).',
  ],
  'form.fixErrors': [
    'Please correct the highlighted fields.',
    'Corrige los campos marcados.',
    'Corrija os campos destacados.',
  ],
  'error.accountSid.required': [
    'Enter your Account SID.',
    'Ingresa tu Account SID.',
    'Informe seu Account SID.',
  ],
  'error.accountSid.format': [
    'This is not an Account SID: AC followed by 32 characters 0–9 and a–f.',
    'No es un Account SID: AC seguido de 32 caracteres 0–9 y a–f.',
    'Isto não é um Account SID: AC seguido de 32 caracteres 0–9 e a–f.',
  ],
  'error.authToken.required': [
    'Enter your Auth Token.',
    'Ingresa tu Auth Token.',
    'Informe seu Auth Token.',
  ],
  'error.authToken.format': [
    'This is not an Auth Token: 32 characters 0–9 and a–f.',
    'No es un Auth Token: 32 caracteres 0–9 y a–f.',
    'Isto não é um Auth Token: 32 caracteres 0–9 e a–f.',
  ],
  'error.whatsappNumber.required': [
    'Enter your WhatsApp sender number.',
    'Ingresa tu número remitente de WhatsApp.',
    'Informe seu número remetente do WhatsApp.',
  ],
  'error.whatsappNumber.format': [
    'Use international format: + and country code, 8 to 15 digits, e.g. +14155238886.',
    'Usa el formato internacional: + y código de país, de 8 a 15 dígitos, p. ej. +5215512345678.',
    'Use o formato internacional: + e código do país, de 8 a 15 dígitos, ex.: +5511912345678.',
  ],
  'error.messagingServiceSid.format': [
    'This is not a Messaging Service SID: MG followed by 32 characters 0–9 and a–f.',
    'No es un Messaging Service SID: MG seguido de 32 caracteres 0–9 y a–f.',
    'Isto não é um Messaging Service SID: MG seguido de 32 caracteres 0–9 e a–f.',
  ],
  'error.sendTo.format': [
    'Use international format: + and country code, e.g. +5215512345678.',
    'Usa el formato internacional: + y código de país, p. ej. +5215512345678.',
    'Use o formato internacional: + e código do país, ex.: +5511912345678.',
  ],

  'step.webhooks.short': [
    'Webhooks',
    'Webhooks',
    'Webhooks',
  ],
  'step.webhooks.title': [
    'Paste the webhook URLs into Twilio',
    'Pega las URL de webhook en Twilio',
    'Cole as URLs de webhook na Twilio',
  ],
  'step.webhooks.body': [
    'Twilio tells Echo about new messages and delivery updates by calling these addresses.',
    'Twilio avisa a Echo de los mensajes nuevos y de las entregas llamando a estas direcciones.',
    'A Twilio avisa o Echo sobre mensagens novas e entregas chamando estes endereços.',
  ],
  'step.webhooks.item1': [
    'In the Twilio Console, open Messaging → Senders → WhatsApp senders and select your number.',
    'En la consola de Twilio, abre Messaging → Senders → WhatsApp senders y elige tu número.',
    'No Console da Twilio, abra Messaging → Senders → WhatsApp senders e selecione seu número.',
  ],
  'step.webhooks.item2': [
    'Under the endpoint configuration, paste each URL below into the field of the same name, with method POST.',
    'En la configuración del endpoint, pega cada URL de abajo en el campo del mismo nombre, con el método POST.',
    'Na configuração do endpoint, cole cada URL abaixo no campo de mesmo nome, com o método POST.',
  ],
  'step.webhooks.item3': [
    'Save the sender in Twilio.',
    'Guarda el sender en Twilio.',
    'Salve o sender na Twilio.',
  ],
  'webhooks.incoming': [
    'Webhook URL for incoming messages',
    'URL de webhook para mensajes entrantes',
    'URL de webhook para mensagens recebidas',
  ],
  'webhooks.incoming.where': [
    'Twilio calls it for every message your customers send.',
    'Twilio la llama con cada mensaje que te envían tus clientes.',
    'A Twilio a chama a cada mensagem que seus clientes enviam.',
  ],
  'webhooks.status': [
    'Status callback URL',
    'URL de status callback',
    'URL de status callback',
  ],
  'webhooks.status.where': [
    'Twilio calls it when a message you sent is delivered, read or fails.',
    'Twilio la llama cuando un mensaje que enviaste se entrega, se lee o falla.',
    'A Twilio a chama quando uma mensagem que você enviou é entregue, lida ou falha.',
  ],
  'webhooks.fallback': [
    'Fallback URL',
    'URL de respaldo (fallback)',
    'URL de fallback',
  ],
  'webhooks.fallback.where': [
    'Twilio calls it if the incoming messages URL fails.',
    'Twilio la llama si falla la URL de mensajes entrantes.',
    'A Twilio a chama se a URL de mensagens recebidas falhar.',
  ],
  'webhooks.copy': [
    'Copy',
    'Copiar',
    'Copiar',
  ],
  'webhooks.copied': [
    'Copied',
    'Copiado',
    'Copiado',
  ],
  'webhooks.copiedAnnouncement': [
    'Copied: {what}',
    'Copiado: {what}',
    'Copiado: {what}',
  ],
  'webhooks.copyFailed': [
    'Could not copy. The text is selected: press Ctrl+C (⌘C on a Mac).',
    'No se pudo copiar. El texto está seleccionado: pulsa Ctrl+C (⌘C en Mac).',
    'Não foi possível copiar. O texto está selecionado: pressione Ctrl+C (⌘C no Mac).',
  ],
  'webhooks.placeholder': [
    'Available after step 4',
    'Disponible después del paso 4',
    'Disponível após o passo 4',
  ],
  'webhooks.saveFirst': [
    'Save your credentials in step 4 to get your webhook URLs.',
    'Guarda tus credenciales en el paso 4 para obtener tus URL de webhook.',
    'Salve suas credenciais no passo 4 para obter suas URLs de webhook.',
  ],
  'link.fallback': [
    'Twilio: fallback URLs and reliability',
    'Twilio: URL de respaldo y fiabilidad',
    'Twilio: URLs de fallback e confiabilidade',
  ],

  'step.meta.account.short': [
    'App',
    'App',
    'App',
  ],
  'step.meta.account.title': [
    'Create your Meta app',
    'Crea tu app de Meta',
    'Crie seu app da Meta',
  ],
  'step.meta.account.body': [
    'You need a Meta business portfolio and an app on Meta for Developers with the WhatsApp product. If your business already has both, skip to the next step.',
    'Necesitas un portafolio comercial de Meta y una app en Meta for Developers con el producto WhatsApp. Si tu negocio ya tiene ambos, pasa al siguiente paso.',
    'Você precisa de um portfólio empresarial da Meta e de um app no Meta for Developers com o produto WhatsApp. Se sua empresa já tem os dois, vá para o próximo passo.',
  ],
  'step.meta.account.item1': [
    'In Meta for Developers, create an app of type Business and link it to your business portfolio.',
    'En Meta for Developers, crea una app de tipo Business y vincúlala a tu portafolio comercial.',
    'No Meta for Developers, crie um app do tipo Business e vincule-o ao seu portfólio empresarial.',
  ],
  'step.meta.account.item2': [
    'Add the WhatsApp product to the app and choose (or create) the WhatsApp Business Account it uses.',
    'Agrega el producto WhatsApp a la app y elige (o crea) la cuenta de WhatsApp Business que usará.',
    'Adicione o produto WhatsApp ao app e escolha (ou crie) a conta do WhatsApp Business que ele vai usar.',
  ],
  'step.meta.account.item3': [
    'Add a payment method to the WhatsApp Business Account, so your number can start conversations with templates.',
    'Agrega un método de pago a la cuenta de WhatsApp Business, para que tu número pueda iniciar conversaciones con plantillas.',
    'Adicione uma forma de pagamento à conta do WhatsApp Business, para que seu número possa iniciar conversas com modelos.',
  ],
  'link.meta.apps': [
    'Open Meta for Developers',
    'Abrir Meta for Developers',
    'Abrir o Meta for Developers',
  ],
  'link.meta.getStarted': [
    'Meta guide: get started with the Cloud API',
    'Guía de Meta: primeros pasos con la Cloud API',
    'Guia da Meta: primeiros passos com a Cloud API',
  ],
  'step.meta.approval.title': [
    'Add your number and copy its IDs',
    'Agrega tu número y copia sus ID',
    'Adicione seu número e copie os IDs dele',
  ],
  'step.meta.approval.body1': [
    'In your app, open WhatsApp → API Setup and add your business phone number. It must receive a verification code by SMS or voice call and must not be in use in the WhatsApp or WhatsApp Business app. Meta reviews its display name, which takes from minutes to a few days.',
    'En tu app, abre WhatsApp → API Setup y agrega el número de teléfono de tu negocio. Debe poder recibir un código de verificación por SMS o llamada y no puede estar en uso en la app de WhatsApp ni de WhatsApp Business. Meta revisa su nombre visible, lo que tarda de minutos a unos días.',
    'No seu app, abra WhatsApp → API Setup e adicione o número de telefone da sua empresa. Ele precisa receber um código de verificação por SMS ou ligação e não pode estar em uso no app WhatsApp ou WhatsApp Business. A Meta analisa o nome de exibição, o que leva de minutos a alguns dias.',
  ],
  'step.meta.approval.body2': [
    'On the same page, copy the Phone number ID and the WhatsApp Business Account ID shown with your number. Both are long numbers, not your phone number; you enter them in step 4.',
    'En la misma página, copia el Phone number ID y el WhatsApp Business Account ID que aparecen con tu número. Ambos son números largos, no tu número de teléfono; los ingresas en el paso 4.',
    'Na mesma página, copie o Phone number ID e o WhatsApp Business Account ID mostrados com seu número. Os dois são números longos, não o seu número de telefone; você os informa no passo 4.',
  ],
  'link.meta.phoneNumbers': [
    'Meta guide: business phone numbers',
    'Guía de Meta: números de teléfono de empresa',
    'Guia da Meta: números de telefone comerciais',
  ],
  'link.meta.whatsappManager': [
    'Open WhatsApp Manager',
    'Abrir el Administrador de WhatsApp',
    'Abrir o Gerenciador do WhatsApp',
  ],
  'step.meta.credentials.title': [
    'Enter your Meta credentials',
    'Ingresa tus credenciales de Meta',
    'Informe suas credenciais da Meta',
  ],
  'step.meta.credentials.item1': [
    'Access token: in Meta Business Suite open Settings → Users → System users, add a system user, give it your app and your WhatsApp account, then generate a token for the app with the whatsapp_business_messaging and whatsapp_business_management permissions. Do not use the temporary token of the API Setup page: it stops working within a day.',
    'Access token: en Meta Business Suite abre Configuración → Usuarios → Usuarios del sistema, agrega un usuario del sistema, asígnale tu app y tu cuenta de WhatsApp y genera un token para la app con los permisos whatsapp_business_messaging y whatsapp_business_management. No uses el token temporal de la página API Setup: deja de funcionar en menos de un día.',
    'Access token: no Meta Business Suite abra Configurações → Usuários → Usuários do sistema, adicione um usuário do sistema, dê a ele seu app e sua conta do WhatsApp e gere um token para o app com as permissões whatsapp_business_messaging e whatsapp_business_management. Não use o token temporário da página API Setup: ele para de funcionar em menos de um dia.',
  ],
  'step.meta.credentials.item2': [
    'App Secret: in your app open App settings → Basic and click Show next to App secret. Meta signs every message it sends to Echo with it.',
    'App Secret: en tu app abre App settings → Basic y haz clic en Show junto a App secret. Meta firma con él cada mensaje que envía a Echo.',
    'App Secret: no seu app abra App settings → Basic e clique em Show ao lado de App secret. A Meta assina com ele cada mensagem que envia ao Echo.',
  ],
  'step.meta.credentials.body': [
    'Echo stores them encrypted and only ever shows the last 4 characters of the access token and of the App Secret.',
    'Echo las guarda cifradas y solo muestra los últimos 4 caracteres del access token y del App Secret.',
    'O Echo as guarda criptografadas e só mostra os últimos 4 caracteres do access token e do App Secret.',
  ],
  'link.meta.systemUsers': [
    'Meta guide: system users and their tokens',
    'Guía de Meta: usuarios del sistema y sus tokens',
    'Guia da Meta: usuários do sistema e seus tokens',
  ],
  'link.meta.businessSettings': [
    'Open system users in Meta Business Suite',
    'Abrir los usuarios del sistema en Meta Business Suite',
    'Abrir os usuários do sistema no Meta Business Suite',
  ],
  'link.meta.appSecret': [
    'Meta guide: your app’s basic settings',
    'Guía de Meta: la configuración básica de tu app',
    'Guia da Meta: as configurações básicas do seu app',
  ],
  'form.phoneNumberId': [
    'Phone number ID',
    'Phone number ID',
    'Phone number ID',
  ],
  'form.phoneNumberId.hint': [
    'Digits only, from WhatsApp → API Setup (not your phone number).',
    'Solo dígitos, de WhatsApp → API Setup (no es tu número de teléfono).',
    'Só dígitos, de WhatsApp → API Setup (não é o seu número de telefone).',
  ],
  'form.wabaId': [
    'WhatsApp Business Account ID',
    'WhatsApp Business Account ID',
    'WhatsApp Business Account ID',
  ],
  'form.wabaId.hint': [
    'Digits only, shown with the Phone number ID.',
    'Solo dígitos, aparece junto al Phone number ID.',
    'Só dígitos, aparece junto com o Phone number ID.',
  ],
  'form.accessToken': [
    'Access token',
    'Access token',
    'Access token',
  ],
  'form.accessToken.hint': [
    'The system user’s token, usually starting with EAA.',
    'El token del usuario del sistema; suele empezar con EAA.',
    'O token do usuário do sistema; geralmente começa com EAA.',
  ],
  'form.accessToken.savedHint': [
    'Saved token ends in {last4}. Enter it again (or a new one) to save changes.',
    'El token guardado termina en {last4}. Vuelve a ingresarlo (o uno nuevo) para guardar cambios.',
    'O token salvo termina em {last4}. Informe-o de novo (ou um novo) para salvar alterações.',
  ],
  'form.appSecret': [
    'App Secret',
    'App Secret',
    'App Secret',
  ],
  'form.appSecret.hint': [
    '32 characters (0–9, a–f), under App settings → Basic.',
    '32 caracteres (0–9, a–f), en App settings → Basic.',
    '32 caracteres (0–9, a–f), em App settings → Basic.',
  ],
  'form.appSecret.savedHint': [
    'Saved App Secret ends in {last4}. Enter it again (or a new one) to save changes.',
    'El App Secret guardado termina en {last4}. Vuelve a ingresarlo (o uno nuevo) para guardar cambios.',
    'O App Secret salvo termina em {last4}. Informe-o de novo (ou um novo) para salvar alterações.',
  ],
  'form.metaNumber.hint': [
    'Echo reads it from Meta when you run the test. If you enter it, use international format with + and country code.',
    'Echo lo lee de Meta cuando ejecutas la prueba. Si lo ingresas, usa el formato internacional con + y código de país.',
    'O Echo o lê da Meta quando você executa o teste. Se informar, use o formato internacional com + e código do país.',
  ],
  'form.saved.meta': [
    'Saved. Now set up the webhook in your Meta app (step 5).',
    'Guardado. Ahora configura el webhook en tu app de Meta (paso 5).',
    'Salvo. Agora configure o webhook no seu app da Meta (passo 5).',
  ],
  'error.phoneNumberId.required': [
    'Enter the Phone number ID.',
    'Ingresa el Phone number ID.',
    'Informe o Phone number ID.',
  ],
  'error.phoneNumberId.format': [
    'This is not a Phone number ID: only digits, as WhatsApp → API Setup shows it (not the phone number).',
    'No es un Phone number ID: solo dígitos, como aparece en WhatsApp → API Setup (no el número de teléfono).',
    'Isto não é um Phone number ID: só dígitos, como aparece em WhatsApp → API Setup (não o número de telefone).',
  ],
  'error.wabaId.required': [
    'Enter the WhatsApp Business Account ID.',
    'Ingresa el WhatsApp Business Account ID.',
    'Informe o WhatsApp Business Account ID.',
  ],
  'error.wabaId.format': [
    'This is not a WhatsApp Business Account ID: only digits, as API Setup shows it.',
    'No es un WhatsApp Business Account ID: solo dígitos, como aparece en API Setup.',
    'Isto não é um WhatsApp Business Account ID: só dígitos, como aparece em API Setup.',
  ],
  'error.accessToken.required': [
    'Enter the access token.',
    'Ingresa el access token.',
    'Informe o access token.',
  ],
  'error.accessToken.format': [
    'This does not look like an access token: paste it as Meta shows it, at least 32 characters, no spaces.',
    'No parece un access token: pégalo tal como lo muestra Meta, al menos 32 caracteres y sin espacios.',
    'Isto não parece um access token: cole como a Meta mostra, com pelo menos 32 caracteres e sem espaços.',
  ],
  'error.appSecret.required': [
    'Enter the App Secret.',
    'Ingresa el App Secret.',
    'Informe o App Secret.',
  ],
  'error.appSecret.format': [
    'This is not an App Secret: 32 characters 0–9 and a–f.',
    'No es un App Secret: 32 caracteres 0–9 y a–f.',
    'Isto não é um App Secret: 32 caracteres 0–9 e a–f.',
  ],
  'step.meta.webhooks.title': [
    'Set up the webhook in your Meta app',
    'Configura el webhook en tu app de Meta',
    'Configure o webhook no seu app da Meta',
  ],
  'step.meta.webhooks.body': [
    'Meta tells Echo about new messages and delivery updates by calling the Callback URL. When you save it, Meta checks it once with the Verify Token.',
    'Meta avisa a Echo de los mensajes nuevos y de las entregas llamando a la Callback URL. Al guardarla, Meta la comprueba una vez con el Verify Token.',
    'A Meta avisa o Echo sobre mensagens novas e entregas chamando a Callback URL. Quando você salva, a Meta a verifica uma vez com o Verify Token.',
  ],
  'step.meta.webhooks.item1': [
    'In your app, open WhatsApp → Configuration and click Edit under Webhook.',
    'En tu app, abre WhatsApp → Configuration y haz clic en Edit en Webhook.',
    'No seu app, abra WhatsApp → Configuration e clique em Edit em Webhook.',
  ],
  'step.meta.webhooks.item2': [
    'Paste the Callback URL and the Verify Token below, then click Verify and save.',
    'Pega la Callback URL y el Verify Token de abajo y haz clic en Verify and save.',
    'Cole a Callback URL e o Verify Token abaixo e clique em Verify and save.',
  ],
  'step.meta.webhooks.item3': [
    'Under Webhook fields, subscribe to the messages field.',
    'En Webhook fields, suscríbete al campo messages.',
    'Em Webhook fields, assine o campo messages.',
  ],
  'webhooks.callbackUrl': [
    'Callback URL',
    'Callback URL',
    'Callback URL',
  ],
  'webhooks.callbackUrl.where': [
    'Meta calls it for every customer message and every delivery update.',
    'Meta la llama con cada mensaje de un cliente y cada actualización de entrega.',
    'A Meta a chama a cada mensagem de cliente e a cada atualização de entrega.',
  ],
  'webhooks.verifyToken': [
    'Verify token',
    'Verify token',
    'Verify token',
  ],
  'webhooks.verifyToken.where': [
    'Meta sends it back once to prove the Callback URL is yours. It is not a password of your Meta account.',
    'Meta lo devuelve una vez para comprobar que la Callback URL es tuya. No es una contraseña de tu cuenta de Meta.',
    'A Meta o devolve uma vez para provar que a Callback URL é sua. Não é uma senha da sua conta da Meta.',
  ],
  'link.meta.webhooks': [
    'Meta guide: set up webhooks',
    'Guía de Meta: configurar webhooks',
    'Guia da Meta: configurar webhooks',
  ],
  'step.360dialog.account.title': [
    'Create your 360dialog account',
    'Crea tu cuenta de 360dialog',
    'Crie sua conta na 360dialog',
  ],
  'step.360dialog.account.body': [
    '360dialog hosts your number on WhatsApp’s Cloud API. If your business already has a 360dialog account, skip to the next step.',
    '360dialog aloja tu número en la Cloud API de WhatsApp. Si tu negocio ya tiene una cuenta de 360dialog, pasa al siguiente paso.',
    'A 360dialog hospeda seu número na Cloud API do WhatsApp. Se sua empresa já tem uma conta na 360dialog, vá para o próximo passo.',
  ],
  'step.360dialog.account.item1': [
    'Sign up in the 360dialog Hub and choose a plan.',
    'Regístrate en el Hub de 360dialog y elige un plan.',
    'Cadastre-se no Hub da 360dialog e escolha um plano.',
  ],
  'step.360dialog.account.item2': [
    'Click Add number and follow Meta’s sign-up (Continue with Facebook) to connect your business portfolio and create your WhatsApp Business Account.',
    'Haz clic en Add number y sigue el registro de Meta (Continue with Facebook) para conectar tu portafolio comercial y crear tu cuenta de WhatsApp Business.',
    'Clique em Add number e siga o cadastro da Meta (Continue with Facebook) para conectar seu portfólio empresarial e criar sua conta do WhatsApp Business.',
  ],
  'link.360dialog.hub': [
    'Open the 360dialog Hub',
    'Abrir el Hub de 360dialog',
    'Abrir o Hub da 360dialog',
  ],
  'step.360dialog.approval.title': [
    'Get your number running',
    'Pon tu número en marcha',
    'Deixe seu número ativo',
  ],
  'step.360dialog.approval.body1': [
    'During sign-up, add your business phone number: it must receive a verification code by SMS or voice call and must not be in use in the WhatsApp or WhatsApp Business app.',
    'Durante el registro, agrega el número de tu negocio: debe poder recibir un código de verificación por SMS o llamada y no puede estar en uso en la app de WhatsApp ni de WhatsApp Business.',
    'Durante o cadastro, adicione o número da sua empresa: ele precisa receber um código de verificação por SMS ou ligação e não pode estar em uso no app WhatsApp ou WhatsApp Business.',
  ],
  'step.360dialog.approval.body2': [
    'Meta reviews the display name. The Hub shows the number as Running once it can send and receive; only then can you generate its API key.',
    'Meta revisa el nombre visible. El Hub muestra el número como Running cuando ya puede enviar y recibir; solo entonces puedes generar su clave API.',
    'A Meta analisa o nome de exibição. O Hub mostra o número como Running quando ele já pode enviar e receber; só então você pode gerar a chave de API dele.',
  ],
  'link.360dialog.numbers': [
    '360dialog guide: your numbers in the Hub',
    'Guía de 360dialog: tus números en el Hub',
    'Guia da 360dialog: seus números no Hub',
  ],
  'step.360dialog.credentials.short': [
    'API key',
    'Clave API',
    'Chave de API',
  ],
  'step.360dialog.credentials.title': [
    'Enter your 360dialog API key',
    'Ingresa tu clave API de 360dialog',
    'Informe sua chave de API da 360dialog',
  ],
  'step.360dialog.credentials.item1': [
    'In the Hub, open your number and click Generate API key. Copy the key at once: the Hub shows it only once.',
    'En el Hub, abre tu número y haz clic en Generate API key. Copia la clave en ese momento: el Hub la muestra una sola vez.',
    'No Hub, abra seu número e clique em Generate API key. Copie a chave na hora: o Hub a mostra uma única vez.',
  ],
  'step.360dialog.credentials.warning': [
    'Generating a new key invalidates the previous key and the webhook registered with it. Echo registers its webhook again automatically every time you save a key here, so save each new key in Echo right away.',
    'Generar una clave nueva invalida la clave anterior y el webhook registrado con ella. Echo vuelve a registrar su webhook automáticamente cada vez que guardas una clave aquí, así que guarda cada clave nueva en Echo de inmediato.',
    'Gerar uma chave nova invalida a chave anterior e o webhook registrado com ela. O Echo registra o webhook de novo automaticamente toda vez que você salva uma chave aqui, então salve cada chave nova no Echo imediatamente.',
  ],
  'step.360dialog.credentials.body': [
    'Echo stores it encrypted and only ever shows its last 4 characters.',
    'Echo la guarda cifrada y solo muestra sus últimos 4 caracteres.',
    'O Echo a guarda criptografada e só mostra os últimos 4 caracteres dela.',
  ],
  'link.360dialog.apiKey': [
    '360dialog guide: API keys',
    'Guía de 360dialog: claves API',
    'Guia da 360dialog: chaves de API',
  ],
  'form.apiKey': [
    'API key',
    'Clave API',
    'Chave de API',
  ],
  'form.apiKey.hint': [
    'The key the Hub showed when you generated it.',
    'La clave que mostró el Hub cuando la generaste.',
    'A chave que o Hub mostrou quando você a gerou.',
  ],
  'form.apiKey.savedHint': [
    'Saved key ends in {last4}. Enter it again (or a new one) to save changes.',
    'La clave guardada termina en {last4}. Vuelve a ingresarla (o una nueva) para guardar cambios.',
    'A chave salva termina em {last4}. Informe-a de novo (ou uma nova) para salvar alterações.',
  ],
  'form.saved.360dialog': [
    'Saved. Check the webhook registration (step 5), then run the test (step 6).',
    'Guardado. Revisa el registro del webhook (paso 5) y luego ejecuta la prueba (paso 6).',
    'Salvo. Confira o registro do webhook (passo 5) e depois execute o teste (passo 6).',
  ],
  'error.apiKey.required': [
    'Enter the API key.',
    'Ingresa la clave API.',
    'Informe a chave de API.',
  ],
  'error.apiKey.format': [
    'This does not look like a 360dialog API key: paste it as the Hub showed it (letters, digits, - and _).',
    'No parece una clave API de 360dialog: pégala tal como la mostró el Hub (letras, dígitos, - y _).',
    'Isto não parece uma chave de API da 360dialog: cole como o Hub mostrou (letras, dígitos, - e _).',
  ],
  'step.360dialog.webhooks.short': [
    'Webhook',
    'Webhook',
    'Webhook',
  ],
  'step.360dialog.webhooks.title': [
    'Webhook: nothing to paste',
    'Webhook: no hay nada que pegar',
    'Webhook: nada para colar',
  ],
  'step.360dialog.webhooks.body': [
    'With 360dialog there is no webhook to paste: each time you save an API key, Echo registers this address for your number, with a secret only Echo knows.',
    'Con 360dialog no hay webhook que pegar: cada vez que guardas una clave API, Echo registra esta dirección para tu número, con un secreto que solo Echo conoce.',
    'Com a 360dialog não há webhook para colar: toda vez que você salva uma chave de API, o Echo registra este endereço para o seu número, com um segredo que só o Echo conhece.',
  ],
  'step.360dialog.webhooks.warning': [
    'Do not set another webhook for this number in the Hub or in another tool: 360dialog keeps one per number, and Echo would stop receiving your messages.',
    'No configures otro webhook para este número en el Hub ni en otra herramienta: 360dialog guarda uno por número y Echo dejaría de recibir tus mensajes.',
    'Não configure outro webhook para este número no Hub nem em outra ferramenta: a 360dialog guarda um por número e o Echo deixaria de receber suas mensagens.',
  ],
  'webhooks.registered': [
    'Address Echo registered',
    'Dirección que registró Echo',
    'Endereço que o Echo registrou',
  ],
  'webhooks.registered.where': [
    '360dialog calls it for every customer message and every delivery update.',
    '360dialog la llama con cada mensaje de un cliente y cada actualización de entrega.',
    'A 360dialog o chama a cada mensagem de cliente e a cada atualização de entrega.',
  ],
  'webhooks.registration.pending': [
    'Echo registers it when you save your API key in step 4.',
    'Echo la registra cuando guardas tu clave API en el paso 4.',
    'O Echo o registra quando você salva sua chave de API no passo 4.',
  ],
  'webhooks.registration.ok': [
    'Registered with 360dialog on {time}.',
    'Registrada en 360dialog el {time}.',
    'Registrado na 360dialog em {time}.',
  ],
  'webhooks.registration.failed': [
    '360dialog did not accept the registration: {reason} Run the test (step 6) to register again.',
    '360dialog no aceptó el registro: {reason} Ejecuta la prueba (paso 6) para registrarla de nuevo.',
    'A 360dialog não aceitou o registro: {reason} Execute o teste (passo 6) para registrar de novo.',
  ],
  'webhooks.registration.keyRejected': [
    'it rejected the API key; paste the newest key from the Hub in step 4.',
    'rechazó la clave API; pega la clave más reciente del Hub en el paso 4.',
    'ela recusou a chave de API; cole a chave mais recente do Hub no passo 4.',
  ],
  'step.test.short': [
    'Test',
    'Prueba',
    'Teste',
  ],
  'step.test.title': [
    'Test the connection',
    'Prueba la conexión',
    'Teste a conexão',
  ],
  'step.test.body': [
    'Echo checks your credentials and that the number belongs to the account and can use WhatsApp. It can also send a test message.',
    'Echo comprueba tus credenciales y que el número pertenece a la cuenta y puede usar WhatsApp. También puede enviar un mensaje de prueba.',
    'O Echo verifica suas credenciais e se o número pertence à conta e pode usar o WhatsApp. Ele também pode enviar uma mensagem de teste.',
  ],
  'test.sendTo': [
    'Send a test message to',
    'Enviar un mensaje de prueba a',
    'Enviar uma mensagem de teste para',
  ],
  'test.sendTo.hint': [
    'A WhatsApp number in international format, e.g. +5215512345678. Leave empty to skip.',
    'Un número de WhatsApp en formato internacional, p. ej. +5215512345678. Déjalo vacío para omitirlo.',
    'Um número de WhatsApp em formato internacional, ex.: +5511912345678. Deixe vazio para pular.',
  ],
  'test.run': [
    'Run test',
    'Ejecutar prueba',
    'Executar teste',
  ],
  'test.running': [
    'Testing…',
    'Probando…',
    'Testando…',
  ],
  'test.results': [
    'Test results',
    'Resultados de la prueba',
    'Resultados do teste',
  ],
  'test.step.credentials': [
    'Credentials',
    'Credenciales',
    'Credenciais',
  ],
  'test.step.sender': [
    'WhatsApp sender',
    'Remitente de WhatsApp',
    'Remetente do WhatsApp',
  ],
  'test.step.testMessage': [
    'Test message',
    'Mensaje de prueba',
    'Mensagem de teste',
  ],
  'test.detail.skipped': [
    'Not checked: an earlier step failed.',
    'No se comprobó: falló un paso anterior.',
    'Não verificado: um passo anterior falhou.',
  ],
  'test.detail.credentials.ok': [
    'Twilio accepted the Account SID and Auth Token; the account is active.',
    'Twilio aceptó el Account SID y el Auth Token; la cuenta está activa.',
    'O Twilio aceitou o Account SID e o Auth Token; a conta está ativa.',
  ],
  'test.detail.credentials.rejected': [
    'Twilio rejected the Account SID and Auth Token: copy both again from the Twilio Console.',
    'Twilio rechazó el Account SID y el Auth Token: cópialos de nuevo desde la consola de Twilio.',
    'O Twilio recusou o Account SID e o Auth Token: copie os dois de novo no Console do Twilio.',
  ],
  'test.detail.credentials.noAccount': [
    'Twilio has no account with this Account SID.',
    'Twilio no tiene ninguna cuenta con este Account SID.',
    'O Twilio não tem nenhuma conta com este Account SID.',
  ],
  'test.detail.credentials.inactive': [
    'The Twilio account is suspended or closed: it cannot send messages until Twilio reactivates it.',
    'La cuenta de Twilio está suspendida o cerrada: no puede enviar mensajes hasta que Twilio la reactive.',
    'A conta do Twilio está suspensa ou encerrada: não pode enviar mensagens até o Twilio reativá-la.',
  ],
  'test.detail.sender.ok': [
    'The number is a WhatsApp sender of this Twilio account and is online.',
    'El número es un remitente de WhatsApp de esta cuenta de Twilio y está en línea.',
    'O número é um remetente do WhatsApp desta conta do Twilio e está online.',
  ],
  'test.detail.sender.sandbox': [
    'This is the Twilio Sandbox number, shared by every account: only customers who joined your sandbox can be reached.',
    'Es el número del Sandbox de Twilio, compartido por todas las cuentas: solo llegarás a clientes que se unieron a tu sandbox.',
    'É o número do Sandbox do Twilio, compartilhado por todas as contas: só clientes que entraram no seu sandbox podem ser alcançados.',
  ],
  'test.detail.sender.notFound': [
    'The number is not a WhatsApp sender of this Twilio account: register it under Messaging → Senders → WhatsApp senders.',
    'El número no es un remitente de WhatsApp de esta cuenta de Twilio: regístralo en Messaging → Senders → WhatsApp senders.',
    'O número não é um remetente do WhatsApp desta conta do Twilio: registre-o em Messaging → Senders → WhatsApp senders.',
  ],
  'test.detail.sender.notOnline': [
    'The number is a WhatsApp sender of this account but is not online yet: finish its registration in the Twilio Console.',
    'El número es un remitente de WhatsApp de esta cuenta pero aún no está en línea: termina su registro en la consola de Twilio.',
    'O número é um remetente do WhatsApp desta conta, mas ainda não está online: conclua o registro no Console do Twilio.',
  ],
  'test.detail.testMessage.ok': [
    'Twilio accepted the test message; WhatsApp delivers it in a moment.',
    'Twilio aceptó el mensaje de prueba; WhatsApp lo entregará en un momento.',
    'O Twilio aceitou a mensagem de teste; o WhatsApp a entrega em instantes.',
  ],
  'test.step.sender.meta': [
    'Webhook subscription',
    'Suscripción del webhook',
    'Assinatura do webhook',
  ],
  'test.step.sender.360dialog': [
    'Webhook registration',
    'Registro del webhook',
    'Registro do webhook',
  ],
  'test.detail.incomplete': [
    'Some saved credentials are missing: enter them again in step 4.',
    'Faltan credenciales guardadas: vuelve a ingresarlas en el paso 4.',
    'Faltam credenciais salvas: informe-as de novo no passo 4.',
  ],
  'test.detail.meta.credentials.ok': [
    'Meta accepted the access token and the App Secret, and the token can use this number.',
    'Meta aceptó el access token y el App Secret, y el token puede usar este número.',
    'A Meta aceitou o access token e o App Secret, e o token pode usar este número.',
  ],
  'test.detail.meta.credentials.tokenRejected': [
    'Meta rejected the access token (expired or revoked): generate a system user token in Meta Business Suite and save it in step 4.',
    'Meta rechazó el access token (vencido o revocado): genera un token de usuario del sistema en Meta Business Suite y guárdalo en el paso 4.',
    'A Meta recusou o access token (expirado ou revogado): gere um token de usuário do sistema no Meta Business Suite e salve-o no passo 4.',
  ],
  'test.detail.meta.credentials.permission': [
    'The access token lacks permission for this WhatsApp account: give its system user the account and the whatsapp_business_messaging permission.',
    'El access token no tiene permiso para esta cuenta de WhatsApp: asigna la cuenta a su usuario del sistema con el permiso whatsapp_business_messaging.',
    'O access token não tem permissão para esta conta do WhatsApp: dê a conta ao usuário do sistema dele, com a permissão whatsapp_business_messaging.',
  ],
  'test.detail.meta.credentials.appSecret': [
    'The App Secret does not belong to the token’s app: copy it from that app’s App settings → Basic.',
    'El App Secret no pertenece a la app del token: cópialo de App settings → Basic de esa app.',
    'O App Secret não pertence ao app do token: copie-o em App settings → Basic desse app.',
  ],
  'test.detail.meta.credentials.numberMismatch': [
    'This Phone number ID belongs to another number: check the ID under WhatsApp → API Setup.',
    'Este Phone number ID pertenece a otro número: revisa el ID en WhatsApp → API Setup.',
    'Este Phone number ID pertence a outro número: confira o ID em WhatsApp → API Setup.',
  ],
  'test.detail.meta.sender.ok': [
    'Your app receives this WhatsApp account’s webhooks: customer messages will reach Echo.',
    'Tu app recibe los webhooks de esta cuenta de WhatsApp: los mensajes de tus clientes llegarán a Echo.',
    'Seu app recebe os webhooks desta conta do WhatsApp: as mensagens dos clientes chegarão ao Echo.',
  ],
  'test.detail.meta.sender.notSubscribed': [
    'No app receives this WhatsApp account’s webhooks yet: finish step 5 (Callback URL, Verify Token, messages field) and run the test again.',
    'Ninguna app recibe todavía los webhooks de esta cuenta de WhatsApp: termina el paso 5 (Callback URL, Verify Token, campo messages) y vuelve a ejecutar la prueba.',
    'Nenhum app recebe ainda os webhooks desta conta do WhatsApp: conclua o passo 5 (Callback URL, Verify Token, campo messages) e execute o teste de novo.',
  ],
  'test.detail.meta.testMessage.ok': [
    'Meta accepted the test message. WhatsApp delivers it only if that number wrote to you in the last 24 hours.',
    'Meta aceptó el mensaje de prueba. WhatsApp lo entrega solo si ese número te escribió en las últimas 24 horas.',
    'A Meta aceitou a mensagem de teste. O WhatsApp só a entrega se esse número escreveu para você nas últimas 24 horas.',
  ],
  'test.detail.360dialog.credentials.ok': [
    '360dialog accepted the API key.',
    '360dialog aceptó la clave API.',
    'A 360dialog aceitou a chave de API.',
  ],
  'test.detail.360dialog.credentials.rejected': [
    '360dialog rejected the API key. Generating a new key revokes the previous one: paste the newest key from the Hub in step 4.',
    '360dialog rechazó la clave API. Generar una clave nueva revoca la anterior: pega la clave más reciente del Hub en el paso 4.',
    'A 360dialog recusou a chave de API. Gerar uma chave nova revoga a anterior: cole a chave mais recente do Hub no passo 4.',
  ],
  'test.detail.360dialog.blocked': [
    '360dialog has blocked this number’s API access: contact 360dialog support.',
    '360dialog bloqueó el acceso a la API de este número: contacta al soporte de 360dialog.',
    'A 360dialog bloqueou o acesso à API deste número: fale com o suporte da 360dialog.',
  ],
  'test.detail.360dialog.payment': [
    '360dialog reports a missing payment for this number: check billing in the Hub.',
    '360dialog indica un pago pendiente para este número: revisa la facturación en el Hub.',
    'A 360dialog indica um pagamento pendente para este número: confira o faturamento no Hub.',
  ],
  'test.detail.360dialog.sender.ok': [
    'Echo’s webhook is registered for your number: customer messages will reach Echo.',
    'El webhook de Echo está registrado para tu número: los mensajes de tus clientes llegarán a Echo.',
    'O webhook do Echo está registrado para o seu número: as mensagens dos clientes chegarão ao Echo.',
  ],
  'test.detail.360dialog.testMessage.ok': [
    '360dialog accepted the test message. WhatsApp delivers it only if that number wrote to you in the last 24 hours.',
    '360dialog aceptó el mensaje de prueba. WhatsApp lo entrega solo si ese número te escribió en las últimas 24 horas.',
    'A 360dialog aceitou a mensagem de teste. O WhatsApp só a entrega se esse número escreveu para você nas últimas 24 horas.',
  ],
  'test.passed': [
    'Passed',
    'Correcto',
    'Aprovado',
  ],
  'test.failed': [
    'Failed',
    'Falló',
    'Falhou',
  ],
  'test.skipped': [
    'Skipped',
    'Omitido',
    'Ignorado',
  ],
  'test.summary.ok': [
    'All checks passed: your number is connected.',
    'Todas las comprobaciones pasaron: tu número está conectado.',
    'Todas as verificações passaram: seu número está conectado.',
  ],
  'test.summary.failed': [
    'Some checks failed. Fix what is marked ✗ and run the test again.',
    'Algunas comprobaciones fallaron. Corrige lo marcado con ✗ y vuelve a ejecutar la prueba.',
    'Algumas verificações falharam. Corrija o que está marcado com ✗ e execute o teste de novo.',
  ],
  'test.needsCredentials': [
    'Save your credentials (step 4) before testing.',
    'Guarda tus credenciales (paso 4) antes de probar.',
    'Salve suas credenciais (passo 4) antes de testar.',
  ],

  'conversations.title': [
    'Conversations',
    'Conversaciones',
    'Conversas',
  ],
  'conversations.intro': [
    'Newest first. Updates every few seconds.',
    'Las más recientes primero. Se actualiza cada pocos segundos.',
    'As mais recentes primeiro. Atualiza a cada poucos segundos.',
  ],
  'conversations.empty': [
    'No conversations yet. They appear here when a customer writes to your number.',
    'Aún no hay conversaciones. Aparecen aquí cuando un cliente escribe a tu número.',
    'Nenhuma conversa ainda. Elas aparecem aqui quando um cliente escreve para o seu número.',
  ],
  'conversations.more': [
    'Show more conversations',
    'Mostrar más conversaciones',
    'Mostrar mais conversas',
  ],
  'thread.label': [
    'Messages',
    'Mensajes',
    'Mensagens',
  ],
  'thread.pick': [
    'Pick a conversation to see its messages.',
    'Elige una conversación para ver sus mensajes.',
    'Escolha uma conversa para ver as mensagens.',
  ],
  'thread.loadOlder': [
    'Load older messages',
    'Cargar mensajes anteriores',
    'Carregar mensagens anteriores',
  ],
  'window.open': [
    'Reply window open · closes in {time}',
    'Ventana de respuesta abierta · se cierra en {time}',
    'Janela de resposta aberta · fecha em {time}',
  ],
  'window.openNoExpiry': [
    'Reply window open',
    'Ventana de respuesta abierta',
    'Janela de resposta aberta',
  ],
  'window.warning': [
    'Reply window closes in {time}',
    'La ventana de respuesta se cierra en {time}',
    'A janela de resposta fecha em {time}',
  ],
  'window.expiringSoon': [
    'Reply window closes soon',
    'La ventana de respuesta se cierra pronto',
    'A janela de resposta fecha em breve',
  ],
  'window.closed': [
    'Window closed — only templates can be sent',
    'Ventana cerrada: solo se pueden enviar plantillas',
    'Janela fechada — só é possível enviar modelos',
  ],
  'message.fromCustomer': [
    'Customer',
    'Cliente',
    'Cliente',
  ],
  'message.fromYou': [
    'You',
    'Tú',
    'Você',
  ],
  'message.template': [
    'Template: {name}',
    'Plantilla: {name}',
    'Modelo: {name}',
  ],
  'message.media.image': [
    '📷 Photo',
    '📷 Foto',
    '📷 Foto',
  ],
  'message.media.video': [
    '🎥 Video',
    '🎥 Video',
    '🎥 Vídeo',
  ],
  'message.media.audio': [
    '🎵 Audio',
    '🎵 Audio',
    '🎵 Áudio',
  ],
  'message.media.voice': [
    '🎤 Voice note',
    '🎤 Nota de voz',
    '🎤 Mensagem de voz',
  ],
  'message.media.sticker': [
    '🖼️ Sticker',
    '🖼️ Sticker',
    '🖼️ Figurinha',
  ],
  'message.media.document': [
    '📄 Document',
    '📄 Documento',
    '📄 Documento',
  ],
  'message.media.documentNamed': [
    '📄 Document: {name}',
    '📄 Documento: {name}',
    '📄 Documento: {name}',
  ],
  'message.media.contact': [
    '👤 Contact',
    '👤 Contacto',
    '👤 Contato',
  ],
  'message.media.contactNamed': [
    '👤 Contact: {name}',
    '👤 Contacto: {name}',
    '👤 Contato: {name}',
  ],
  'message.location': [
    '📍 Location',
    '📍 Ubicación',
    '📍 Localização',
  ],
  'message.locationNamed': [
    '📍 Location: {name}',
    '📍 Ubicación: {name}',
    '📍 Localização: {name}',
  ],
  'message.choice': [
    'Chose “{title}”',
    'Eligió «{title}»',
    'Escolheu “{title}”',
  ],
  'message.reaction': [
    'Reacted {emoji}',
    'Reaccionó {emoji}',
    'Reagiu {emoji}',
  ],
  'message.reactionRemoved': [
    'Removed a reaction',
    'Quitó una reacción',
    'Removeu uma reação',
  ],
  'message.order': [
    '🛒 Order: {count} products',
    '🛒 Pedido: {count} productos',
    '🛒 Pedido: {count} produtos',
  ],
  'message.flowReply': [
    '📋 Form answer',
    '📋 Respuesta de formulario',
    '📋 Resposta de formulário',
  ],
  'message.unsupported': [
    '⚠ A kind of message WhatsApp does not let Echo show. Open WhatsApp on your phone to see it.',
    '⚠ Un tipo de mensaje que WhatsApp no deja mostrar a Echo. Abre WhatsApp en tu teléfono para verlo.',
    '⚠ Um tipo de mensagem que o WhatsApp não deixa o Echo mostrar. Abra o WhatsApp no seu celular para vê-la.',
  ],
  'message.unknownType': [
    'A message Echo cannot show yet ({type})',
    'Un mensaje que Echo aún no puede mostrar ({type})',
    'Uma mensagem que o Echo ainda não consegue mostrar ({type})',
  ],
  'message.options': [
    'Options offered',
    'Opciones ofrecidas',
    'Opções oferecidas',
  ],
  'message.listButton': [
    'List “{button}”',
    'Lista «{button}»',
    'Lista “{button}”',
  ],
  'message.details': [
    'Details',
    'Detalles',
    'Detalhes',
  ],
  'failure.code': [
    'Code: {code}',
    'Código: {code}',
    'Código: {code}',
  ],
  'failure.machineReason': [
    'Reason: {reason}',
    'Motivo: {reason}',
    'Motivo: {reason}',
  ],
  'failure.windowClosed': [
    'Not sent: more than 24 hours have passed since the customer last wrote, so WhatsApp only allows an approved template.',
    'No enviado: pasaron más de 24 horas desde el último mensaje del cliente, así que WhatsApp solo permite una plantilla aprobada.',
    'Não enviada: passaram mais de 24 horas desde a última mensagem do cliente, então o WhatsApp só permite um modelo aprovado.',
  ],
  'failure.retryExhausted': [
    'Not sent: WhatsApp was busy and kept refusing it for a while, so Echo stopped trying. Send it again later.',
    'No enviado: WhatsApp estaba saturado y lo rechazó durante un rato, así que Echo dejó de intentarlo. Envíalo de nuevo más tarde.',
    'Não enviada: o WhatsApp estava sobrecarregado e a recusou por um tempo, então o Echo parou de tentar. Envie de novo mais tarde.',
  ],
  'failure.outcomeUnknown': [
    'Echo could not confirm this message was sent. Ask the customer before sending it again, so they do not get it twice.',
    'Echo no pudo confirmar que este mensaje se envió. Pregunta al cliente antes de volver a enviarlo, para que no le llegue dos veces.',
    'O Echo não conseguiu confirmar que esta mensagem foi enviada. Pergunte ao cliente antes de enviá-la de novo, para que ele não a receba duas vezes.',
  ],
  'failure.contentRejected': [
    'Not sent: WhatsApp did not accept its buttons, list or image, not even as plain text.',
    'No enviado: WhatsApp no aceptó sus botones, lista o imagen, ni siquiera como texto simple.',
    'Não enviada: o WhatsApp não aceitou os botões, a lista ou a imagem dela, nem como texto simples.',
  ],
  'failure.earlierPart': [
    'Not sent: an earlier part of this long message failed, so the rest was held back.',
    'No enviado: falló una parte anterior de este mensaje largo, así que el resto se retuvo.',
    'Não enviada: uma parte anterior desta mensagem longa falhou, então o resto foi retido.',
  ],
  'failure.templateNotApproved': [
    'Not sent: WhatsApp has not approved this template yet.',
    'No enviado: WhatsApp aún no aprobó esta plantilla.',
    'Não enviada: o WhatsApp ainda não aprovou este modelo.',
  ],
  'failure.invalidMessage': [
    'Not sent: the message was empty, too long or not valid.',
    'No enviado: el mensaje estaba vacío, era demasiado largo o no era válido.',
    'Não enviada: a mensagem estava vazia, era longa demais ou não era válida.',
  ],
  'failure.noConnection': [
    'Not sent: no WhatsApp number was connected at that moment.',
    'No enviado: no había ningún número de WhatsApp conectado en ese momento.',
    'Não enviada: nenhum número de WhatsApp estava conectado naquele momento.',
  ],
  'failure.noConversation': [
    'Not sent: this conversation no longer exists.',
    'No enviado: esta conversación ya no existe.',
    'Não enviada: esta conversa não existe mais.',
  ],
  'failure.notOnWhatsApp': [
    'Not delivered: this number cannot receive WhatsApp messages. It may not use WhatsApp, or may need to update the app.',
    'No entregado: este número no puede recibir mensajes de WhatsApp. Puede que no use WhatsApp o que deba actualizar la app.',
    'Não entregue: este número não pode receber mensagens do WhatsApp. Talvez não use o WhatsApp ou precise atualizar o app.',
  ],
  'failure.optedOut': [
    'Not delivered: the customer chose not to receive these messages from your business.',
    'No entregado: el cliente eligió no recibir estos mensajes de tu negocio.',
    'Não entregue: o cliente escolheu não receber estas mensagens da sua empresa.',
  ],
  'failure.heldBack': [
    'Not delivered: WhatsApp held it back so the customer does not get too many business messages. Try again in a day or so.',
    'No entregado: WhatsApp lo retuvo para que el cliente no reciba demasiados mensajes de empresas. Inténtalo de nuevo en un día o dos.',
    'Não entregue: o WhatsApp a reteve para o cliente não receber mensagens demais de empresas. Tente de novo em um ou dois dias.',
  ],
  'failure.spam': [
    'Not delivered: WhatsApp blocked it as possible spam. Send fewer similar messages and check your number’s quality rating.',
    'No entregado: WhatsApp lo bloqueó como posible spam. Envía menos mensajes parecidos y revisa la calificación de calidad de tu número.',
    'Não entregue: o WhatsApp a bloqueou como possível spam. Envie menos mensagens parecidas e confira a classificação de qualidade do seu número.',
  ],
  'failure.rateLimited': [
    'Not delivered: too many messages in a short time. Wait a little and send it again.',
    'No entregado: demasiados mensajes en poco tiempo. Espera un poco y envíalo de nuevo.',
    'Não entregue: mensagens demais em pouco tempo. Aguarde um pouco e envie de novo.',
  ],
  'failure.credentials': [
    'Not sent: your WhatsApp provider refused Echo’s credentials. Run the connection test in Set up to see what to fix.',
    'No enviado: tu proveedor de WhatsApp rechazó las credenciales de Echo. Ejecuta la prueba de conexión en Configurar para ver qué corregir.',
    'Não enviada: seu provedor de WhatsApp recusou as credenciais do Echo. Execute o teste de conexão em Configurar para ver o que corrigir.',
  ],
  'failure.restricted': [
    'Not sent: WhatsApp has restricted your business from sending this message. Check your account in WhatsApp Manager or with your provider.',
    'No enviado: WhatsApp restringió a tu negocio el envío de este mensaje. Revisa tu cuenta en el Administrador de WhatsApp o con tu proveedor.',
    'Não enviada: o WhatsApp restringiu o envio desta mensagem pela sua empresa. Confira sua conta no Gerenciador do WhatsApp ou com seu provedor.',
  ],
  'failure.template': [
    'Not sent: WhatsApp refused the template (missing, paused, or with values that do not fit).',
    'No enviado: WhatsApp rechazó la plantilla (no existe, está pausada o sus valores no encajan).',
    'Não enviada: o WhatsApp recusou o modelo (não existe, está pausado ou os valores não servem).',
  ],
  'failure.media': [
    'Not sent: WhatsApp could not fetch the image or file. Check that its link works and the file is not too large.',
    'No enviado: WhatsApp no pudo obtener la imagen o el archivo. Comprueba que el enlace funciona y que el archivo no es demasiado grande.',
    'Não enviada: o WhatsApp não conseguiu obter a imagem ou o arquivo. Confira se o link funciona e se o arquivo não é grande demais.',
  ],
  'failure.unsupported': [
    'Not sent: WhatsApp does not support this kind of message here.',
    'No enviado: WhatsApp no admite este tipo de mensaje aquí.',
    'Não enviada: o WhatsApp não aceita este tipo de mensagem aqui.',
  ],
  'failure.permanent': [
    'Not sent: WhatsApp refused this message, and sending it again as it is will not help.',
    'No enviado: WhatsApp rechazó este mensaje y volver a enviarlo igual no servirá.',
    'Não enviada: o WhatsApp recusou esta mensagem, e enviá-la de novo igual não vai adiantar.',
  ],
  'failure.generic': [
    'Not delivered: WhatsApp could not deliver this message.',
    'No entregado: WhatsApp no pudo entregar este mensaje.',
    'Não entregue: o WhatsApp não conseguiu entregar esta mensagem.',
  ],
  'tick.queued': [
    'Queued',
    'En cola',
    'Na fila',
  ],
  'tick.sent': [
    'Sent',
    'Enviado',
    'Enviada',
  ],
  'tick.delivered': [
    'Delivered',
    'Entregado',
    'Entregue',
  ],
  'tick.read': [
    'Read',
    'Leído',
    'Lida',
  ],
  'tick.failed': [
    'Failed',
    'Falló',
    'Falhou',
  ],
  'tick.undelivered': [
    'Not delivered',
    'No entregado',
    'Não entregue',
  ],
  'reply.label': [
    'Reply',
    'Responder',
    'Responder',
  ],
  'reply.hint': [
    'Enter sends, Shift+Enter adds a line.',
    'Intro envía, Mayús+Intro agrega una línea.',
    'Enter envia, Shift+Enter adiciona uma linha.',
  ],
  'reply.send': [
    'Send',
    'Enviar',
    'Enviar',
  ],
  'reply.sent': [
    'Message sent.',
    'Mensaje enviado.',
    'Mensagem enviada.',
  ],
  'reply.empty': [
    'Write a message first.',
    'Escribe un mensaje primero.',
    'Escreva uma mensagem primeiro.',
  ],

  'nav.templates': [
    'Templates',
    'Plantillas',
    'Modelos',
  ],
  'templates.title': [
    'Templates',
    'Plantillas',
    'Modelos de mensagem',
  ],
  'templates.intro': [
    'After 24 hours without a customer message, WhatsApp only lets you write with a template it has approved. The re-engagement template lets you follow up on a conversation.',
    'Tras 24 horas sin mensajes del cliente, WhatsApp solo permite escribir con una plantilla que haya aprobado. La plantilla de reactivación te permite dar seguimiento a una conversación.',
    'Depois de 24 horas sem mensagem do cliente, o WhatsApp só permite escrever com um modelo aprovado por ele. O modelo de reengajamento permite retomar uma conversa.',
  ],
  'templates.empty': [
    'No templates yet.',
    'Aún no hay plantillas.',
    'Ainda não há modelos.',
  ],
  'templates.loading': [
    'Loading templates…',
    'Cargando plantillas…',
    'Carregando modelos…',
  ],
  'templates.name.reengagement': [
    'Re-engagement',
    'Reactivación',
    'Reengajamento',
  ],
  'templates.language': [
    'Language: {language}',
    'Idioma: {language}',
    'Idioma: {language}',
  ],
  'templates.updated': [
    'Updated {time}',
    'Actualizada {time}',
    'Atualizado {time}',
  ],
  'templates.create': [
    'Create the re-engagement template',
    'Crear la plantilla de reactivación',
    'Criar o modelo de reengajamento',
  ],
  'templates.createHint': [
    'Echo creates it with your WhatsApp provider and submits it to WhatsApp for approval, which can take from minutes to a day.',
    'Echo la crea con tu proveedor de WhatsApp y la envía a WhatsApp para su aprobación, que puede tardar de minutos a un día.',
    'O Echo o cria com seu provedor de WhatsApp e o envia ao WhatsApp para aprovação, o que pode levar de minutos a um dia.',
  ],
  'templates.notSupported': [
    'Echo cannot manage templates for numbers connected through {provider} yet.',
    'Echo todavía no puede gestionar plantillas para números conectados mediante {provider}.',
    'O Echo ainda não consegue gerenciar modelos para números conectados via {provider}.',
  ],
  'templates.created': [
    'Template created and submitted for approval.',
    'Plantilla creada y enviada para aprobación.',
    'Modelo criado e enviado para aprovação.',
  ],
  'templates.status.draft': [
    'Draft',
    'Borrador',
    'Rascunho',
  ],
  'templates.status.submitted': [
    'Submitted',
    'Enviada',
    'Enviado',
  ],
  'templates.status.pending': [
    'Pending approval',
    'Pendiente de aprobación',
    'Aguardando aprovação',
  ],
  'templates.status.approved': [
    'Approved',
    'Aprobada',
    'Aprovado',
  ],
  'templates.status.rejected': [
    'Rejected',
    'Rechazada',
    'Rejeitado',
  ],
  'templates.status.unknown': [
    'Unknown status',
    'Estado desconocido',
    'Status desconhecido',
  ],
  'template.title': [
    'Send the re-engagement template',
    'Enviar la plantilla de reactivación',
    'Enviar o modelo de reengajamento',
  ],
  'template.intro': [
    'The reply window is closed. This approved template reopens the conversation when the customer answers.',
    'La ventana de respuesta está cerrada. Esta plantilla aprobada reabre la conversación cuando el cliente responda.',
    'A janela de resposta está fechada. Este modelo aprovado reabre a conversa quando o cliente responder.',
  ],
  'template.var.firstName': [
    'Customer’s first name',
    'Nombre del cliente',
    'Primeiro nome do cliente',
  ],
  'template.var.businessName': [
    'Your business name',
    'Nombre de tu negocio',
    'Nome da sua empresa',
  ],
  'template.var.other': [
    'Variable {n}',
    'Variable {n}',
    'Variável {n}',
  ],
  'template.send': [
    'Send the re-engagement template',
    'Enviar la plantilla de reactivación',
    'Enviar o modelo de reengajamento',
  ],
  'template.missing': [
    'Fill in every field first.',
    'Completa todos los campos primero.',
    'Preencha todos os campos primeiro.',
  ],
  'template.unavailable': [
    'The reply window is closed and there is no approved re-engagement template yet, so nothing can be sent now.',
    'La ventana de respuesta está cerrada y aún no hay una plantilla de reactivación aprobada, así que no se puede enviar nada ahora.',
    'A janela de resposta está fechada e ainda não há modelo de reengajamento aprovado, então nada pode ser enviado agora.',
  ],
  'template.goToTemplates': [
    'Go to Templates',
    'Ir a Plantillas',
    'Ir para Modelos',
  ],

  'poll.offline': [
    'You seem to be offline. Retrying…',
    'Parece que no tienes conexión. Reintentando…',
    'Parece que você está sem conexão. Tentando de novo…',
  ],
  'poll.failed': [
    'Could not refresh. Retrying…',
    'No se pudo actualizar. Reintentando…',
    'Não foi possível atualizar. Tentando de novo…',
  ],
  'error.network': [
    'Echo could not be reached. Check your connection and try again.',
    'No se pudo contactar con Echo. Revisa tu conexión e inténtalo de nuevo.',
    'Não foi possível falar com o Echo. Verifique sua conexão e tente novamente.',
  ],
  'error.validation': [
    'Some values were not accepted. Check them and try again.',
    'Algunos valores no se aceptaron. Revísalos e inténtalo de nuevo.',
    'Alguns valores não foram aceitos. Confira e tente novamente.',
  ],
  'error.notFound': [
    'Not found. It may have been removed; reload the page.',
    'No encontrado. Puede que se haya eliminado; vuelve a cargar la página.',
    'Não encontrado. Pode ter sido removido; recarregue a página.',
  ],
  'error.conflict': [
    'Someone else changed this at the same time. Reload and try again.',
    'Alguien más cambió esto al mismo tiempo. Vuelve a cargar e inténtalo de nuevo.',
    'Outra pessoa alterou isto ao mesmo tempo. Recarregue e tente novamente.',
  ],
  'error.numberInUse': [
    'This WhatsApp number is already connected to another Echo account. Disconnect it there first; if the number is yours and you cannot, contact Echo support.',
    'Este número de WhatsApp ya está conectado a otra cuenta de Echo. Desconéctalo allí primero; si el número es tuyo y no puedes, contacta al soporte de Echo.',
    'Este número de WhatsApp já está conectado a outra conta do Echo. Desconecte-o lá primeiro; se o número é seu e você não consegue, fale com o suporte do Echo.',
  ],
  'error.notSupported': [
    'This is not available for your provider yet.',
    'Esto aún no está disponible para tu proveedor.',
    'Isto ainda não está disponível para o seu provedor.',
  ],
  'error.tooLarge': [
    'That is too long to send.',
    'Es demasiado largo para enviarlo.',
    'É longo demais para enviar.',
  ],
  'error.throttled': [
    'Too many requests. Wait a moment and try again.',
    'Demasiadas solicitudes. Espera un momento e inténtalo de nuevo.',
    'Solicitações demais. Aguarde um momento e tente novamente.',
  ],
  'error.bspUnavailable': [
    'Your WhatsApp provider could not be reached. Try again in a moment.',
    'No se pudo contactar con tu proveedor de WhatsApp. Inténtalo de nuevo en un momento.',
    'Não foi possível falar com seu provedor de WhatsApp. Tente novamente em instantes.',
  ],
  'error.generic': [
    'Something went wrong. Try again.',
    'Algo salió mal. Inténtalo de nuevo.',
    'Algo deu errado. Tente novamente.',
  ],
} satisfies Record<string, readonly [en: string, es: string, ptBR: string]>;

export type MessageKey = keyof typeof TEXTS;
export type Dictionary = Record<MessageKey, string>;

function dictionary(index: 0 | 1 | 2): Dictionary {
  const entries = Object.entries(TEXTS) as Array<[MessageKey, readonly string[]]>;
  return Object.fromEntries(entries.map(([key, texts]) => [key, texts[index]])) as Dictionary;
}

/** One dictionary per locale (the unit tests check they have the same keys and no empty text). */
export const dictionaries: Readonly<Record<Locale, Dictionary>> = { en: dictionary(0), es: dictionary(1), 'pt-BR': dictionary(2) };

/** `translate` bound to one locale: what every part of the page is given as `t`. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  return (key, params) => translate(locale, key, params);
}

/**
 * The `locale` text of `key`, `{name}` placeholders filled from `params`.
 * @example translate('es', 'form.authToken.savedHint', { last4: '9f3a' })
 */
export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(dictionaries[locale][key] || dictionaries.en[key] || key, params);
}
