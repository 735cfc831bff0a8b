import fc from 'fast-check';
import {
  encodeText,
  hostileText,
  hostileValue,
  toJsonText,
  type JsonSchema,
} from './schema-arbitraries.ts';

export type Caller = 'anonymous' | 'buyer' | 'seller' | 'admin';

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Every operation of the gateway's merged OpenAPI document. */
export function operationsOf(document: { paths?: Record<string, unknown> }): Operation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, RawOperation>).map(([method, op]) => {
      const body = op.requestBody?.content?.['application/json']?.schema;
      return {
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        ...(body ? { body } : {}),
      };
    }),
  );
}

export interface FuzzRequest {
  caller: Caller;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Headers a route reads besides the schema's: sent now and then, with odd values among them. */
const EXTRA_HEADERS: Record<string, fc.Arbitrary<string>> = {
  'idempotency-key': fc.oneof(fc.uuid(), fc.constantFrom('', ' ', "' OR 1=1 --", 'k'.repeat(300))),
  'if-match': fc.constantFrom('*', '"1"', 'W/"1"', '"999999999999999999999"', '', '"'),
};

/**
 * A request for one operation: a caller, each path and query parameter from its schema or a
 * hostile text (a query parameter now and then twice), a body shaped by the schema with hostile
 * parts, and the extra headers now and then.
 */
export function requestFor(op: Operation, knownIds: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof(fc.constantFrom(...knownIds), fc.uuid(), hostileText(p.schema)),
    ),
  );
  const query = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(fc.array(hostileText(p.schema), { minLength: 1, maxLength: 2 }), {
        nil: undefined,
      }),
    ),
  );
  const body = op.body
    ? fc.option(hostileValue(op.body), { nil: undefined })
    : fc.constant(undefined);
  const headers = fc.record(
    Object.fromEntries(Object.entries(EXTRA_HEADERS).map(([name, arb]) => [name, arb])),
    { requiredKeys: [] },
  );
  const caller = fc.constantFrom<Caller>('anonymous', 'buyer', 'seller', 'admin');
  return fc.tuple(caller, path, query, body, headers).map(([who, ids, values, payload, extra]) => {
    let url = op.path;
    pathParams.forEach((p, i) => {
      url = url.replace(`{${p.name}}`, encodeText(ids[i] ?? ''));
    });
    const pairs = queryParams.flatMap((p, i) =>
      (values[i] ?? []).map((v) => `${encodeText(p.name)}=${encodeText(v)}`),
    );
    if (pairs.length > 0) url += `?${pairs.join('&')}`;
    const headers: Record<string, string> = { ...(extra as Record<string, string>) };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return {
      caller: who,
      method: op.method,
      url,
      headers,
      ...(payload !== undefined ? { body: toJsonText(payload) } : {}),
    };
  });
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Sends a request; a stream's answer is cut after its headers. */
export async function send(
  baseUrl: string,
  request: FuzzRequest,
  token: string | undefined,
): Promise<Answer> {
  const headers = { ...request.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, contentType, text: '' };
  }
  return { status: response.status, contentType, text: await response.text() };
}

/** Signs of an internal error leaking out: a stack frame, a driver code, SQL. */
const LEAKS = /\n\s+at [^\n]+:\d+|\bER_[A-Z_]{3,}|\bSELECT\b[^"]*\bFROM\b|node_modules|\.ts:\d+/;

/** What is wrong with an answer under the API's contract, or undefined when nothing is. */
export function contractBreach(answer: Answer): string | undefined {
  if (answer.status >= 500) return `${answer.status} ${answer.text.slice(0, 300)}`;
  if (LEAKS.test(answer.text)) return `leaks internals: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return undefined;
  if (!answer.contentType.startsWith('application/problem+json'))
    return `${answer.status} as ${answer.contentType}: ${answer.text.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return `${answer.status} problem is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const shaped =
    typeof problem.type === 'string' &&
    typeof problem.title === 'string' &&
    typeof problem.code === 'string' &&
    problem.status === answer.status;
  return shaped ? undefined : `${answer.status} problem misshapen: ${answer.text.slice(0, 200)}`;
}
