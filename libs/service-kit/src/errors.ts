import type { Problem } from '@marketplace/contracts';

export interface FieldError {
  field: string;
  message: string;
}

/** What an error may carry besides its status, code and message. */
export interface AppErrorExtra {
  /** The fields at fault, each with what is wrong with it. */
  errors?: FieldError[];
  /** Headers the answer needs (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
}

/**
 * The one error type a service throws for anything a client did or can act on; the error handler
 * turns it into problem+json. `code` is the stable, documented part of the catalogue. Every
 * factory takes the code first, then the message, then the extras.
 */
export class AppError extends Error {
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    extra: AppErrorExtra = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.errors = extra.errors;
    this.headers = extra.headers;
  }

  static badRequest(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(400, code, message, extra);
  }
  static unauthorized(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(401, code, message, extra);
  }
  static forbidden(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(403, code, message, extra);
  }
  static notFound(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(404, code, message, extra);
  }
  static conflict(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(409, code, message, extra);
  }
  static unprocessable(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(422, code, message, extra);
  }
  static tooManyRequests(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(429, code, message, extra);
  }
  static unavailable(code: string, message: string, extra?: AppErrorExtra): AppError {
    return new AppError(503, code, message, extra);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problemType(code: string): string {
  return `https://marketplace.local/problems/${code}`;
}

/** The problem+json body every answer that is an error carries, whoever builds it. */
export function toProblem(
  status: number,
  code: string,
  detail: string,
  requestId?: string,
  errors?: FieldError[],
): Problem {
  return {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(requestId ? { requestId } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
