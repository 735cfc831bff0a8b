import { AppError } from '@marketplace/service-kit';

/** The catalogue of user-service errors: each code is part of the API. */
export const UserErrors = {
  emailTaken: () =>
    new AppError(409, 'email-taken', 'An account with this e-mail already exists.', [
      { field: 'email', message: 'is already registered' },
    ]),
  // One answer for an unknown e-mail and a wrong password, so neither can be told apart.
  invalidCredentials: () =>
    AppError.unauthorized('The e-mail or the password is wrong.', 'invalid-credentials'),
  accountBlocked: () =>
    AppError.forbidden('This account is blocked. Contact support.', 'account-blocked'),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new AppError(
      429,
      'too-many-attempts',
      `Too many failed attempts. Try again in ${retryAfterSeconds} seconds.`,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  invalidRefreshToken: () =>
    AppError.unauthorized(
      'The refresh token is invalid, expired or revoked. Log in again.',
      'invalid-refresh-token',
    ),
  refreshTokenReused: () =>
    AppError.unauthorized(
      'This refresh token was already used; its session has been revoked. Log in again.',
      'refresh-token-reused',
    ),
  wrongPassword: () =>
    AppError.badRequest('wrong-password', 'The current password is wrong.', [
      { field: 'currentPassword', message: 'is wrong' },
    ]),
  userNotFound: () => AppError.notFound('No such user.', 'user-not-found'),
  cannotChangeSelf: (field: 'role' | 'blocked') =>
    AppError.badRequest('cannot-change-self', 'Admins cannot demote or block themselves.', [
      { field, message: 'cannot be changed on your own account' },
    ]),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is malformed.', [
      { field: 'querystring.cursor', message: 'is not a cursor of this listing' },
    ]),
};
