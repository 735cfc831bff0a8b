import { randomUUID } from 'node:crypto';

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

type Client = ReturnType<typeof gatewayClient>;

/** The shipping address of the suites' checkouts. */
export const TEST_ADDRESS = {
  name: 'Demo Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

/** Signs an account in through the gateway; its access token. */
export async function accessTokenOf(api: Client, email: string, password: string): Promise<string> {
  const login = await api.post<{ accessToken: string }>('/api/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login of ${email}: ${login.status}`);
  return login.body.accessToken;
}

/**
 * A checkout of `quantity` (1) of one product, under `key` (a fresh Idempotency-Key unless
 * given): the answer as the buyer gets it.
 */
export function checkoutOf<T>(
  api: Client,
  token: string,
  productId: string,
  options: { quantity?: number; key?: string } = {},
): Promise<Reply<T>> {
  return api.post<T>(
    '/api/orders',
    {
      items: [{ productId, quantity: options.quantity ?? 1 }],
      shippingAddress: TEST_ADDRESS,
    },
    token,
    { 'idempotency-key': options.key ?? randomUUID() },
  );
}
