import { Type } from 'typebox';
import {
  DeadLetterListQuerySchema,
  DeadLetterPageSchema,
  DeadLetterSchema,
  problemResponses,
  type DeadLetterView,
} from '@marketplace/contracts';
import { InvalidCursorError } from '@marketplace/db';
import type { DeadLetter, DeadLetterDesk } from '@marketplace/events';
import { authenticate, type AccessTokenVerifier } from '@marketplace/jwt';
import { AppError, type ServiceApp } from '@marketplace/service-kit';
import type { DB } from '../data/schema.ts';
import { NotificationErrors } from '../domain/errors.ts';

const security = [{ bearer: [] }];
const tags = ['admin'];

const view = (letter: DeadLetter): DeadLetterView => ({
  ...letter,
  parkedAt: letter.parkedAt.toISOString(),
  replayedAt: letter.replayedAt?.toISOString() ?? null,
});

/**
 * The operators' view of what this service parked: events its consumer gave up on, and events
 * that no queue was bound for (collected from the exchange's unrouted queue).
 */
export function registerDeadLetterRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  desk: DeadLetterDesk<DB>,
): void {
  const onRequest = authenticate(verifier, ['admin']);

  app.get(
    '/api/admin/dead-letters',
    {
      onRequest,
      schema: {
        operationId: 'listDeadLetters',
        summary: 'Parked events, newest first (admin)',
        tags,
        security,
        querystring: DeadLetterListQuerySchema,
        response: { 200: DeadLetterPageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      try {
        const page = await desk.list({
          ...request.query,
          cursor: request.query.cursor || undefined,
        });
        return { items: page.items.map(view), nextCursor: page.nextCursor };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw NotificationErrors.invalidCursor();
        throw error;
      }
    },
  );

  app.post(
    '/api/admin/dead-letters/:id/replay',
    {
      onRequest,
      schema: {
        operationId: 'replayDeadLetter',
        summary: 'Puts a parked event back where it came from (admin)',
        description:
          'A consumer’s event goes back on its queue with a fresh attempt count; an unrouted one ' +
          'is published to the exchange again. Consumers dedupe by event id, so a replay is safe.',
        tags,
        security,
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,20}$' }) }),
        response: { 200: DeadLetterSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const result = await desk.replay(id);
      if (result === 'not-found') throw AppError.notFound('not-found', 'No such dead letter.');
      if (result === 'already-replayed')
        throw AppError.conflict('already-replayed', 'This dead letter was replayed already.');
      const letter = await desk.get(id);
      if (!letter) throw AppError.notFound('not-found', 'No such dead letter.');
      return view(letter);
    },
  );
}
