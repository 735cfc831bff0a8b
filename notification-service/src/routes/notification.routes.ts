import { Type } from 'typebox';
import {
  IdParamsSchema,
  NotificationListQuerySchema,
  NotificationPageSchema,
  NotificationPreferencesBodySchema,
  NotificationPreferencesSchema,
  NotificationSchema,
  problemResponses,
  UnreadCountSchema,
} from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import { authenticate, currentUser, type AccessTokenVerifier } from '@marketplace/jwt';
import type { NotificationService } from '../domain/notification.service.ts';

const security = [{ bearer: [] }];

export function registerNotificationRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  notifications: NotificationService,
): void {
  const onRequest = authenticate(verifier);

  app.get(
    '/api/notifications',
    {
      onRequest,
      schema: {
        operationId: 'listNotifications',
        summary: "The caller's notifications, newest first",
        tags: ['notifications'],
        security,
        querystring: NotificationListQuerySchema,
        response: { 200: NotificationPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => notifications.list(currentUser(request).userId, request.query),
  );

  // Declared before the `/:id` routes, so no pattern reads `unread-count` as an id.
  app.get(
    '/api/notifications/unread-count',
    {
      onRequest,
      schema: {
        operationId: 'getUnreadCount',
        summary: 'How many of the caller’s notifications are unread',
        tags: ['notifications'],
        security,
        response: { 200: UnreadCountSchema, ...problemResponses(401) },
      },
    },
    async (request) => notifications.unreadCount(currentUser(request).userId),
  );

  app.post(
    '/api/notifications/:id/read',
    {
      onRequest,
      schema: {
        operationId: 'markNotificationRead',
        summary: 'Marks one of the caller’s notifications read',
        tags: ['notifications'],
        security,
        params: IdParamsSchema,
        response: { 200: NotificationSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => notifications.markRead(currentUser(request).userId, request.params.id),
  );

  app.post(
    '/api/notifications/read-all',
    {
      onRequest,
      schema: {
        operationId: 'markAllNotificationsRead',
        summary: 'Marks all of the caller’s notifications read',
        tags: ['notifications'],
        security,
        response: { 204: Type.Null(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      await notifications.markAllRead(currentUser(request).userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/notifications/preferences',
    {
      onRequest,
      schema: {
        operationId: 'getNotificationPreferences',
        summary: 'Which notifications the caller also gets by e-mail',
        tags: ['notifications'],
        security,
        response: { 200: NotificationPreferencesSchema, ...problemResponses(401) },
      },
    },
    async (request) => notifications.preferences(currentUser(request).userId),
  );

  app.put(
    '/api/notifications/preferences',
    {
      onRequest,
      schema: {
        operationId: 'updateNotificationPreferences',
        summary: 'Turns e-mail on or off per notification type (in-app ones are always kept)',
        tags: ['notifications'],
        security,
        body: NotificationPreferencesBodySchema,
        response: { 200: NotificationPreferencesSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => notifications.savePreferences(currentUser(request).userId, request.body),
  );
}
