/**
 * `<echo-whatsapp-status>`: the WhatsApp connection's status for Echo's main dashboard, in one
 * script (`status-widget.js`, built by `web/build.ts`), no framework. It reads `GET connection`
 * from the admin API and shows Connected / Not connected / Needs attention (with why), when the
 * last customer message arrived, and a link to the settings page; in the settings page's colours
 * and badge (its stylesheet is built from the same CSS files) and in the reader's language.
 *
 * Embed (the script may load before or after the element):
 *   <echo-whatsapp-status settings-url="/settings/whatsapp"></echo-whatsapp-status>
 *   <script src="/settings/status-widget.js" defer></script>
 * and hand it the dashboard's sign-in token (an id token of the admin API's issuer, with the
 * business claim): `element.token = () => auth.idToken()` (a string, or a function returning one
 * or a promise of one). Without it, the settings page's own token of this tab is used.
 *
 * Attributes (all optional): `settings-url` (default `/settings/whatsapp`), `config-url` (default
 * `/settings/config.json`: the API base and the business claim), `api-base` and `business` (skip
 * the config), `lang` (default: the document's language, then the browser's).
 * Methods: `refresh()` reads the status now (it is read every minute while the tab is visible).
 *
 * Rendered in an open shadow root, so the dashboard's CSS and the widget's do not mix. Test hooks:
 * `data-state="loading|connected|not-connected|attention|signed-out|unavailable"` on the element;
 * inside, `widget-status` (badge), `widget-reason`, `widget-last-inbound`, `widget-link`.
 */
import type { ConnectionView } from '../../lambdas/domain/admin/contract';
import { createApi, SessionExpiredError, type Api } from './api';
import { businessIdFrom, decodeJwtPayload, TOKEN_STORAGE_KEY, type SettingsConfig } from './auth';
import { h, setAttr, setText } from './dom';
import { formatDateTime, formatRelative } from './format';
import { connectionHealth } from './health';
import { statusText, type StatusKey } from './i18n-status';
import { chooseLocale, type Locale } from './locale';

/** The widget's stylesheet (`web/css/status-widget.css`), inlined by `web/build.ts`. */
declare const __STATUS_WIDGET_CSS__: string;

const TAG = 'echo-whatsapp-status';
const POLL_MS = 60_000;
const TICK_MS = 30_000;

type TokenSource = string | (() => string | undefined | null | Promise<string | undefined | null>);

class EchoWhatsAppStatus extends HTMLElement {
  static readonly observedAttributes = ['lang', 'business', 'api-base', 'settings-url', 'config-url'];

  private readonly ui: {
    badge: HTMLElement;
    reason: HTMLElement;
    last: HTMLElement;
    lastLabel: HTMLElement;
    time: HTMLTimeElement;
    link: HTMLAnchorElement;
    title: HTMLElement;
    region: HTMLElement;
  };
  private readonly state: {
    tokenSource?: TokenSource;
    view?: ConnectionView;
    config?: Promise<SettingsConfig>;
    pollTimer?: number;
    tickTimer?: number;
    reading?: Promise<void>;
    /** Asked again while a read was under way (with another token or business, maybe): read once more. */
    again?: boolean;
    onVisible: () => void;
  };

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    const title = h('p', { class: 'widget__title' });
    const badge = h('p', { class: 'badge', role: 'status', 'data-testid': 'widget-status' });
    const reason = h('p', { class: 'widget__reason', 'data-testid': 'widget-reason', hidden: true });
    const lastLabel = h('span', {});
    const time = h('time', {});
    const last = h('p', { class: 'widget__last', 'data-testid': 'widget-last-inbound' }, lastLabel, ': ', time);
    const link = h('a', { class: 'widget__link', 'data-testid': 'widget-link' });
    const region = h('section', { class: 'widget' }, h('div', { class: 'widget__head' }, title, badge), reason, last, link);
    root.append(region);
    this.ui = { badge, reason, last, lastLabel, time, link, title, region };
    this.state = { onVisible: () => !document.hidden && void this.refresh() };
  }

  /** The dashboard's token, or a function that gives it (called on every read). */
  set token(source: TokenSource | undefined) {
    this.state.tokenSource = source;
    if (this.isConnected) void this.refresh();
  }

  get token(): TokenSource | undefined {
    return this.state.tokenSource;
  }

  connectedCallback(): void {
    // A token set before this script defined the element sits on the instance: take it over.
    if (Object.prototype.hasOwnProperty.call(this, 'token')) {
      const early = (this as unknown as { token?: TokenSource }).token;
      delete (this as unknown as { token?: TokenSource }).token;
      this.state.tokenSource = early;
    }
    this.render();
    void this.refresh();
    this.state.pollTimer = window.setInterval(() => !document.hidden && void this.refresh(), POLL_MS);
    this.state.tickTimer = window.setInterval(() => this.render(), TICK_MS);
    document.addEventListener('visibilitychange', this.state.onVisible);
  }

  disconnectedCallback(): void {
    window.clearInterval(this.state.pollTimer);
    window.clearInterval(this.state.tickTimer);
    document.removeEventListener('visibilitychange', this.state.onVisible);
  }

  attributeChangedCallback(name: string): void {
    if (!this.isConnected) return;
    if (name === 'config-url') this.state.config = undefined;
    this.render();
    if (name !== 'lang' && name !== 'settings-url') void this.refresh();
  }

  /**
   * Reads the status now. One read at a time: asked during a read, it reads once more after it, so
   * the answer always reflects the latest token and attributes.
   */
  refresh(): Promise<void> {
    if (this.state.reading) {
      this.state.again = true;
      return this.state.reading;
    }
    const run = async () => {
      do {
        this.state.again = false;
        await this.read();
      } while (this.state.again);
    };
    this.state.reading = run().finally(() => (this.state.reading = undefined));
    return this.state.reading;
  }

  private async read(): Promise<void> {
    try {
      const token = await this.currentToken();
      const api = token ? await this.api(token) : undefined;
      if (!api) return this.show('signed-out');
      this.state.view = await api.get<ConnectionView>('connection');
      this.show(undefined);
    } catch (error) {
      this.show(error instanceof SessionExpiredError ? 'signed-out' : 'unavailable');
    }
  }

  private async currentToken(): Promise<string | undefined> {
    const source = this.state.tokenSource;
    const token = typeof source === 'function' ? await source() : source;
    return token || sessionStorage.getItem(TOKEN_STORAGE_KEY) || undefined;
  }

  private async api(token: string): Promise<Api | undefined> {
    let baseUrl = this.getAttribute('api-base') ?? undefined;
    let businessId = this.getAttribute('business') ?? undefined;
    if (baseUrl === undefined || !businessId) {
      const configUrl = this.getAttribute('config-url') ?? '/settings/config.json';
      this.state.config ??= fetch(configUrl, { cache: 'no-store' }).then((response) => {
        if (!response.ok) throw new Error(`config: HTTP ${response.status}`);
        return response.json() as Promise<SettingsConfig>;
      });
      const config = await this.state.config.catch((error: unknown) => {
        this.state.config = undefined;
        throw error;
      });
      baseUrl ??= config.apiBaseUrl;
      const payload = decodeJwtPayload(token);
      businessId ||= payload ? businessIdFrom(payload, config.businessClaim) : undefined;
    }
    if (!businessId) return undefined;
    return createApi({ baseUrl, businessId, token: () => token });
  }

  /** `problem`: why no status is shown; otherwise the last status read. */
  private show(problem: 'signed-out' | 'unavailable' | undefined): void {
    this.problem = problem;
    this.render();
  }

  private problem?: 'signed-out' | 'unavailable';

  private locale(): Locale {
    const languages = [this.getAttribute('lang'), document.documentElement.lang, ...(navigator.languages ?? [navigator.language])].filter((language): language is string => !!language);
    return chooseLocale(languages);
  }

  private render(): void {
    const { ui } = this;
    const locale = this.locale();
    const say = (key: StatusKey, params?: Record<string, string | number>) => statusText(locale, key, params);
    setAttr(ui.region, 'lang', locale);
    setAttr(ui.region, 'aria-label', say('widget.title'));
    setText(ui.title, say('widget.title'));
    setAttr(ui.link, 'href', this.getAttribute('settings-url') ?? '/settings/whatsapp');
    setText(ui.link, say('widget.open'));
    setText(ui.lastLabel, say('status.lastInbound'));

    const view = this.state.view;
    const health = view ? connectionHealth(view) : undefined;
    // A failed refresh keeps the last status on screen and says it could not be read again.
    const state = this.problem === 'signed-out' || (this.problem && !health) ? this.problem : (health?.state ?? 'loading');
    this.dataset.state = state;
    ui.badge.hidden = state === 'signed-out' || state === 'unavailable';
    ui.badge.className = `badge${health ? ` badge--${health.state === 'connected' ? 'on' : health.state === 'attention' ? 'attention' : 'off'}` : ''}`;
    setText(ui.badge, health ? say(health.label) : say('status.loading'));

    const note: StatusKey | undefined = this.problem === 'signed-out' ? 'widget.signedOut' : this.problem === 'unavailable' ? 'widget.unavailable' : health?.reason;
    ui.reason.hidden = !note;
    setText(ui.reason, note ? say(note) : '');

    const at = view?.provider && view.lastInboundAt ? Date.parse(view.lastInboundAt) : NaN;
    ui.last.hidden = !health || this.problem === 'signed-out';
    setAttr(ui.time, 'datetime', Number.isNaN(at) ? undefined : new Date(at).toISOString());
    setAttr(ui.time, 'title', Number.isNaN(at) ? undefined : formatDateTime(at, locale));
    setText(ui.time, Number.isNaN(at) ? say('status.noMessages') : formatRelative(at, Date.now(), locale));
  }
}

/** The stylesheet, shared by every widget on the page; a `<style>` where constructed sheets are missing. */
function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(__STATUS_WIDGET_CSS__);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(h('style', {}, __STATUS_WIDGET_CSS__));
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, EchoWhatsAppStatus);
