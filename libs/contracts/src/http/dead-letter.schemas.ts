import { Type, type Static } from 'typebox';
import { Page, PageQuerySchema } from '../pagination.ts';
import { DateTime, Nullable } from './common.schemas.ts';

/** An event parked for a person to look at: one that failed for good, or that no queue took. */
export const DeadLetterSchema = Type.Object({
  id: Type.String({ description: 'The dead letter’s own id (replay it by this)' }),
  eventId: Nullable(Type.String({ description: 'The event’s id, when the message had one' })),
  type: Nullable(Type.String({ description: 'The event type, when the message had one' })),
  source: Type.String({
    description: 'The queue it was parked from; `<exchange>.unrouted` for unrouted events',
  }),
  reason: Type.String({ description: 'Why it was parked: the last error, or "unrouted: ..."' }),
  attempts: Type.Integer({ minimum: 1, description: 'Deliveries tried before it was parked' }),
  parkedAt: DateTime,
  replayedAt: Nullable(DateTime),
});
export type DeadLetterView = Static<typeof DeadLetterSchema>;

export const DeadLetterListQuerySchema = Type.Object({
  all: Type.Optional(Type.Boolean({ description: 'true: also the ones already replayed' })),
  ...PageQuerySchema.properties,
});
export type DeadLetterListQuery = Static<typeof DeadLetterListQuerySchema>;

export const DeadLetterPageSchema = Page(DeadLetterSchema);
export type DeadLetterPage = Static<typeof DeadLetterPageSchema>;
