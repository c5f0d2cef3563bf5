import type { Locator } from 'playwright-core';

/**
 * Waiting assertions for the browser tests: each polls what the page shows (150 ms apart, never a
 * fixed sleep) until it holds or the time is up, then fails with `failure(what)`, which adds the
 * local runtime's last log lines.
 */
export function browserExpect(failure: (what: string) => Error) {
  async function poll(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        if (await probe()) return;
      } catch (error) {
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw failure(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
  }

  async function expectText(locator: Locator, pattern: RegExp, timeoutMs?: number): Promise<void> {
    let seen = '';
    await poll(`text ${pattern} (last seen: "${seen}")`, async () => pattern.test((seen = (await locator.first().innerText({ timeout: 1000 })) ?? '')), timeoutMs).catch((error) => {
      throw failure(`expected ${pattern}, last seen "${seen}": ${(error as Error).message.split('\n')[0]}`);
    });
  }

  async function expectNotText(locator: Locator, pattern: RegExp): Promise<void> {
    await poll(`text not ${pattern}`, async () => !pattern.test(await locator.first().innerText({ timeout: 1000 })));
  }

  async function expectValue(locator: Locator, pattern: RegExp): Promise<void> {
    await poll(`value ${pattern}`, async () => pattern.test(await locator.inputValue({ timeout: 1000 })));
  }

  async function expectAttribute(locator: Locator, name: string, expected: string | RegExp, timeoutMs?: number): Promise<void> {
    let seen: string | null = null;
    await poll(
      `${name}=${String(expected)}`,
      async () => {
        seen = await locator.getAttribute(name, { timeout: 1000 });
        return typeof expected === 'string' ? seen === expected : expected.test(seen ?? '');
      },
      timeoutMs,
    ).catch((error) => {
      throw failure(`expected ${name}=${String(expected)}, last seen ${String(seen)}: ${(error as Error).message.split('\n')[0]}`);
    });
  }

  return { poll, expectText, expectNotText, expectValue, expectAttribute };
}
