import { Type, type TSchema } from 'typebox';
import { Page, PageQuerySchema, RoleSchema } from '@marketplace/contracts';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
// Null first: with type coercion on, a null tried against a string branch would become "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

const Email = Type.String({ format: 'email', maxLength: 254 });
const NewPassword = Type.String({
  minLength: 8,
  maxLength: 128,
  description: '8 to 128 characters',
});
const Name = Text(100);
const Phone = Type.String({
  pattern: '^\\+?[0-9][0-9 ()-]{3,30}$',
  description: 'Digits, spaces, parentheses and dashes, optionally led by +',
});

export const AddressSchema = Type.Object({
  line1: Text(200),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Text(100),
  postalCode: Text(20),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' }),
});

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  phone: Nullable(Type.String()),
  address: Nullable(AddressSchema),
  blocked: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const AuthResponseSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String({ description: 'JWT (EdDSA), sent as `Authorization: Bearer`' }),
  refreshToken: Type.String({ description: 'Opaque; single use' }),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});

export const RegisterBodySchema = Type.Object({
  email: Email,
  password: NewPassword,
  name: Name,
  role: Type.Optional(
    Type.Enum(['buyer', 'seller'], { description: 'admin cannot be chosen; default buyer' }),
  ),
});

// Login accepts any length an account could have; the rules apply when a password is set.
export const LoginBodySchema = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 128 }),
});

export const RefreshBodySchema = Type.Object({
  refreshToken: Type.String({ minLength: 1, maxLength: 256 }),
});

export const ProfilePatchSchema = Type.Object({
  name: Type.Optional(Name),
  phone: Type.Optional(Nullable(Phone)),
  address: Type.Optional(Nullable(AddressSchema)),
});

export const PasswordChangeSchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 128 }),
  newPassword: NewPassword,
});

export const AdminPatchSchema = Type.Object({
  role: Type.Optional(RoleSchema),
  blocked: Type.Optional(Type.Boolean()),
});

export const UserListQuerySchema = Type.Object({
  limit: PageQuerySchema.properties.limit,
  cursor: PageQuerySchema.properties.cursor,
  role: Type.Optional(RoleSchema),
});

export const UserPageSchema = Page(UserSchema);

export const IdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

const JwkSchema = Type.Object({
  kty: Type.Optional(Type.String()),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  kid: Type.Optional(Type.String()),
  alg: Type.Optional(Type.String()),
  use: Type.Optional(Type.String()),
});

export const JwksSchema = Type.Object({ keys: Type.Array(JwkSchema) });

export const ProblemRef = Type.Ref('Problem');
