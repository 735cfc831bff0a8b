import { Type, type TSchema } from 'typebox';

/**
 * Building blocks of the HTTP schemas. Everything in libs/contracts is browser-safe (TypeBox
 * only): the services validate with these schemas and the SPA imports the types made from them.
 */

/** Every id of the API: one check (and `format: uuid` in OpenAPI) for all of them. */
export const Uuid = Type.String({ format: 'uuid' });

export const IdParamsSchema = Type.Object({ id: Uuid });

/** Text a person typed: at least one visible character. */
export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

// Null first: with type coercion on, a null tried against a string branch would become "".
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

export const DateTime = Type.String({ format: 'date-time' });

/** A reference to the shared problem+json schema every service registers (`$id: 'Problem'`). */
export const ProblemRef = Type.Ref('Problem');

/** The problem+json answers of a route, for its `response` map: `...problemResponses(400, 404)`. */
export function problemResponses<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: typeof ProblemRef } {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef])) as {
    [K in S[number]]: typeof ProblemRef;
  };
}
