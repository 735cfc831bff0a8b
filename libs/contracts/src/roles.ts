import { Type, type Static } from 'typebox';

export const RoleSchema = Type.Union([
  Type.Literal('buyer'),
  Type.Literal('seller'),
  Type.Literal('admin'),
]);
export type Role = Static<typeof RoleSchema>;
