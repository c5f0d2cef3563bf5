import { ApiError, NetworkError } from '../../../web/src/api';
import { translator } from '../../../web/src/i18n';
import { problemText } from '../../../web/src/problems';

const problem = (status: number, slug: string) => new ApiError(status, { type: `https://echo.example/problems/${slug}`, title: slug, status, detail: 'in English, from the API' });

describe('problemText: what went wrong, in the reader language', () => {
  it('tells an owner whose number another business holds that it is not a passing conflict', () => {
    // Prepare
    const t = translator('es');

    // Act
    const inUse = problemText(t, problem(409, 'number-in-use'));
    const concurrent = problemText(t, problem(409, 'conflict'));

    // Assess
    expect(inUse).toBe(t('error.numberInUse'));
    expect(inUse).toMatch(/otra cuenta de Echo/);
    expect(concurrent).toBe(t('error.conflict'));
    expect(inUse).not.toBe(concurrent);
  });

  it('says a route the provider lacks is not available yet, rather than asking to reload', () => {
    expect(problemText(translator('pt-BR'), problem(409, 'not-supported'))).toBe(translator('pt-BR')('error.notSupported'));
  });

  it('reads the problem kind from its type, and has none without a problem body', () => {
    expect(problem(409, 'number-in-use').slug).toBe('number-in-use');
    expect(new ApiError(500).slug).toBeUndefined();
    expect(problemText(translator('en'), new ApiError(502))).toMatch(/provider could not be reached/);
    expect(problemText(translator('en'), new NetworkError(new Error('offline')))).toBe(translator('en')('error.network'));
  });
});
