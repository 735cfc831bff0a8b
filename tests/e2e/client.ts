/** A tiny HTTP client for the gateway: JSON in and out, the status kept for assertions. */
export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export function gatewayClient(baseUrl: string) {
  const call = async <T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const body = (text ? JSON.parse(text) : null) as T;
    return { status: response.status, body, headers: response.headers };
  };
  return {
    get: <T>(path: string, token?: string) => call<T>('GET', path, token ? { token } : {}),
    post: <T>(path: string, body: unknown, token?: string, headers?: Record<string, string>) =>
      call<T>('POST', path, { body, ...(token ? { token } : {}), ...(headers ? { headers } : {}) }),
  };
}
