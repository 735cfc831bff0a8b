import { AppError } from '@marketplace/service-kit';

/** The catalogue of user-service errors: each code is part of the API. */
export const UserErrors = {
  emailTaken: () =>
    AppError.conflict('email-taken', 'An account with this e-mail already exists.', {
      errors: [{ field: 'email', message: 'is already registered' }],
    }),
  // One answer for an unknown e-mail and a wrong password, so neither can be told apart.
  invalidCredentials: () =>
    AppError.unauthorized('invalid-credentials', 'The e-mail or the password is wrong.'),
  accountBlocked: () =>
    AppError.forbidden('account-blocked', 'This account is blocked. Contact support.'),
  tooManyAttempts: (retryAfterSeconds: number) =>
    AppError.tooManyRequests(
      'too-many-attempts',
      `Too many failed attempts. Try again in ${retryAfterSeconds} seconds.`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    ),
  // The queue of password hashes is full: refused at once instead of waiting without bound.
  busy: (retryAfterSeconds: number) =>
    AppError.unavailable('busy', 'Too many logins right now. Try again shortly.', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  // The client left while its password hash waited; nobody reads this answer (nginx's 499).
  clientGone: () =>
    new AppError(499, 'client-closed-request', 'The client closed the request before its turn.'),
  invalidRefreshToken: () =>
    AppError.unauthorized(
      'invalid-refresh-token',
      'The refresh token is invalid, expired or revoked. Log in again.',
    ),
  refreshTokenReused: () =>
    AppError.unauthorized(
      'refresh-token-reused',
      'This refresh token was already used; its session has been revoked. Log in again.',
    ),
  // The kit's code and shape, as when the body schema required the token (before the cookie).
  refreshTokenMissing: () =>
    AppError.badRequest('validation-error', "body must have required property 'refreshToken'", {
      errors: [{ field: 'refreshToken', message: "must have required property 'refreshToken'" }],
    }),
  csrfRefused: () =>
    AppError.forbidden(
      'csrf-refused',
      'The session cookie is only accepted from this site, with the x-session-transport header.',
    ),
  wrongPassword: () =>
    AppError.badRequest('wrong-password', 'The current password is wrong.', {
      errors: [{ field: 'currentPassword', message: 'is wrong' }],
    }),
  userNotFound: () => AppError.notFound('user-not-found', 'No such user.'),
  cannotChangeSelf: (field: 'role' | 'blocked') =>
    AppError.badRequest('cannot-change-self', 'Admins cannot demote or block themselves.', {
      errors: [{ field, message: 'cannot be changed on your own account' }],
    }),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is malformed.', {
      errors: [{ field: 'querystring.cursor', message: 'is not a cursor of this listing' }],
    }),
};
