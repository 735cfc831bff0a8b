import type { Problem } from '@marketplace/contracts';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error type a service throws for anything a client did or can act on; the error handler
 * turns it into problem+json. `code` is the stable, documented part of the catalogue.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, errors?: FieldError[]): AppError {
    return new AppError(400, code, message, errors);
  }
  static unauthorized(message = 'Authentication is required.', code = 'unauthorized'): AppError {
    return new AppError(401, code, message);
  }
  static forbidden(message = 'You may not do this.', code = 'forbidden'): AppError {
    return new AppError(403, code, message);
  }
  static notFound(message = 'Not found.', code = 'not-found'): AppError {
    return new AppError(404, code, message);
  }
  static conflict(code: string, message: string): AppError {
    return new AppError(409, code, message);
  }
  static unprocessable(code: string, message: string, errors?: FieldError[]): AppError {
    return new AppError(422, code, message, errors);
  }
  static unavailable(code: string, message: string): AppError {
    return new AppError(503, code, message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problemType(code: string): string {
  return `https://marketplace.local/problems/${code}`;
}

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
    detail,
    ...(requestId ? { requestId } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
