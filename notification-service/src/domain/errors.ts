import { AppError } from '@marketplace/service-kit';

/** The catalogue of notification-service errors: each code is part of the API. */
export const NotificationErrors = {
  // Someone else's notification is reported exactly like a missing one.
  notificationNotFound: () => AppError.notFound('not-found', 'No such notification.'),
  accountBlocked: () => AppError.forbidden('account-blocked', 'This account is blocked.'),
  tooManyStreams: () =>
    AppError.tooManyRequests(
      'too-many-streams',
      'Too many live streams are open; close one first.',
      {
        headers: { 'retry-after': '10' },
      },
    ),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is not one this list gave out.', {
      errors: [{ field: 'querystring.cursor', message: 'is not a valid cursor' }],
    }),
};
