/**
 * The admin API client of the settings page: `${apiBaseUrl}/businesses/{businessId}/whatsapp/…`
 * with the bearer token. Problems (RFC 9457) become `ApiError`s; a 401 becomes a
 * `SessionExpiredError`, which the page turns into "sign in again".
 */
import type { ProblemDetails } from '../../lambdas/domain/admin/contract';

export class SessionExpiredError extends Error {
  constructor() {
    super('session expired');
    this.name = 'SessionExpiredError';
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem?: ProblemDetails,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The problem's kind, the last segment of its `type` (`number-in-use`, `not-supported`…). */
  get slug(): string | undefined {
    return this.problem?.type?.split('/').pop() || undefined;
  }
}

/** The request never got an answer (offline, DNS, CORS…). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  send<T>(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export function createApi(options: { baseUrl: string; businessId: string; token: () => string | undefined }): Api {
  const root = `${options.baseUrl.replace(/\/$/, '')}/businesses/${encodeURIComponent(options.businessId)}/whatsapp`;

  async function request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T> {
    const token = options.token();
    if (!token) throw new SessionExpiredError();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    const url = `${root}${path ? `/${path}` : ''}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      // Built apart from the call: Node's RequestInit type (the unit tests' type-check) has no `cache`.
      const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' as const };
      response = await fetch(url, init);
    } catch (error) {
      throw new NetworkError(error);
    }
    if (response.status === 401) throw new SessionExpiredError();
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, isProblem(json) ? json : undefined);
    return json as T;
  }

  return {
    get: (path, query) => request('GET', path, undefined, query),
    send: (method, path, body) => request(method, path, body),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isProblem(value: unknown): value is ProblemDetails {
  return !!value && typeof value === 'object' && typeof (value as { status?: unknown }).status === 'number';
}
