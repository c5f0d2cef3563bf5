/**
 * The few DOM helpers the page is built with (no framework): an element factory, writes that
 * only touch the DOM when something changed, and a keyed list that reuses its elements.
 */

export type AttrValue = string | number | boolean | undefined | null | ((event: Event) => void);
export type Child = Node | string | null | undefined | false;

/**
 * @example h('button', { type: 'button', onclick: () => save() }, 'Save')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** Writes text only when it changed, so live regions do not re-announce the same words. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function setAttr(element: Element, name: string, value: string | undefined): void {
  if (value === undefined) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/**
 * Keeps `container`'s children in the order of `items`, reusing the element of each key so that
 * polling does not rebuild (and steal focus from) what is already on screen.
 */
export function syncList<T>(container: HTMLElement, items: T[], key: (item: T) => string, create: (item: T) => HTMLElement, update: (element: HTMLElement, item: T) => void): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children) as HTMLElement[]) if (child.dataset.key) existing.set(child.dataset.key, child);
  const keep = new Set<string>();
  items.forEach((item, index) => {
    const id = key(item);
    keep.add(id);
    let element = existing.get(id);
    if (!element) {
      element = create(item);
      element.dataset.key = id;
    }
    update(element, item);
    if (container.children[index] !== element) container.insertBefore(element, container.children[index] ?? null);
  });
  for (const [id, element] of existing) if (!keep.has(id)) element.remove();
}

export const srOnly = (text: string) => h('span', { class: 'sr-only' }, text);
export const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/** Scrolls smoothly unless the reader asked the system for reduced motion. */
export const scrollBehavior = (): ScrollBehavior => (reducedMotion() ? 'auto' : 'smooth');
