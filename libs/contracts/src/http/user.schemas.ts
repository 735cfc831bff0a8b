import { Type, type Static } from 'typebox';
import { Page, PageQuerySchema } from '../pagination.ts';
import { RoleSchema } from '../roles.ts';
import { DateTime, Nullable, Text, Uuid } from './common.schemas.ts';

// The identity area (user-service): accounts, sessions, profiles, roles and the JWKS.

const Email = Type.String({ format: 'email', maxLength: 254 });
const NewPassword = Type.String({
  minLength: 8,
  maxLength: 128,
  description: '8 to 128 characters',
});
// Login and the current password accept any length an account could have; the rules above
// apply when a password is set.
const GivenPassword = Type.String({ minLength: 1, maxLength: 128 });
const Name = Text(100);
const Phone = Type.String({
  pattern: '^\\+?[0-9][0-9 ()-]{3,30}$',
  description: 'Digits, spaces, parentheses and dashes, optionally led by +',
});

/** The postal part every address shares: a profile's and an order's shipping address. */
export const PostalAddressSchema = Type.Object({
  line1: Text(200),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Text(100),
  postalCode: Text(20),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' }),
});
export type PostalAddress = Static<typeof PostalAddressSchema>;

/**
 * The address kept on a profile: the shipping address of orders, whose `name` (the recipient)
 * may be left out here, since a profile's own name is the usual recipient.
 */
export const AddressSchema = Type.Object({
  name: Type.Optional(Text(200)),
  ...PostalAddressSchema.properties,
});
export type Address = Static<typeof AddressSchema>;

/** The languages a user reads the marketplace (and its e-mails) in. */
export const LanguageSchema = Type.Enum(['en', 'ru'], { description: 'default en' });
export type Language = Static<typeof LanguageSchema>;

/** An account as every answer shows it (never the password hash). */
export const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  phone: Nullable(Type.String()),
  address: Nullable(AddressSchema),
  language: LanguageSchema,
  blocked: Type.Boolean(),
  createdAt: DateTime,
});
export type User = Static<typeof UserSchema>;

/** A new session: what register, login, refresh and a password change all answer. */
export const AuthSessionSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String({ description: 'JWT (EdDSA), sent as `Authorization: Bearer`' }),
  refreshToken: Type.Optional(
    Type.String({
      description:
        'Opaque; single use. Absent when the client asked for the cookie transport ' +
        '(`x-session-transport: cookie`): the token is then only in the HttpOnly cookie.',
    }),
  ),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});
export type AuthSession = Static<typeof AuthSessionSchema>;

// One name per answer, so a client reads each route's type by the route's name.
export const RegisterResponseSchema = AuthSessionSchema;
export type RegisterResponse = AuthSession;
export const LoginResponseSchema = AuthSessionSchema;
export type LoginResponse = AuthSession;
export const RefreshResponseSchema = AuthSessionSchema;
export type RefreshResponse = AuthSession;
export const PasswordChangeResponseSchema = AuthSessionSchema;
export type PasswordChangeResponse = AuthSession;

export const RegisterBodySchema = Type.Object({
  email: Email,
  password: NewPassword,
  name: Name,
  role: Type.Optional(
    Type.Enum(['buyer', 'seller'], { description: 'admin cannot be chosen; default buyer' }),
  ),
});
export type RegisterBody = Static<typeof RegisterBodySchema>;

export const LoginBodySchema = Type.Object({ email: Email, password: GivenPassword });
export type LoginBody = Static<typeof LoginBodySchema>;

/**
 * The body of refresh and of logout. `refreshToken` is required unless the request uses the
 * cookie transport (`x-session-transport: cookie`) and the browser sends the refresh cookie.
 */
export const RefreshBodySchema = Type.Object({
  refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});
export type RefreshBody = Static<typeof RefreshBodySchema>;

/** `null` clears the phone or the address; an absent field stays as it is. */
export const ProfilePatchSchema = Type.Object({
  name: Type.Optional(Name),
  phone: Type.Optional(Nullable(Phone)),
  address: Type.Optional(Nullable(AddressSchema)),
  language: Type.Optional(LanguageSchema),
});
export type ProfilePatch = Static<typeof ProfilePatchSchema>;

export const PasswordChangeBodySchema = Type.Object({
  currentPassword: GivenPassword,
  newPassword: NewPassword,
});
export type PasswordChangeBody = Static<typeof PasswordChangeBodySchema>;

export const AdminUserPatchSchema = Type.Object({
  role: Type.Optional(RoleSchema),
  blocked: Type.Optional(Type.Boolean()),
});
export type AdminUserPatch = Static<typeof AdminUserPatchSchema>;

export const UserListQuerySchema = Type.Object({
  limit: PageQuerySchema.properties.limit,
  cursor: PageQuerySchema.properties.cursor,
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 254,
      pattern: '\\S',
      description: 'An e-mail prefix, or a part of the name (case-insensitive)',
    }),
  ),
  role: Type.Optional(RoleSchema),
  blocked: Type.Optional(Type.Boolean()),
});
export type UserListQuery = Static<typeof UserListQuerySchema>;

export const UserPageSchema = Page(UserSchema);
export type UserPage = Static<typeof UserPageSchema>;

/** A public key of the JWKS (Ed25519: `kty` OKP, `crv` Ed25519, `x`). */
export const JwkSchema = Type.Object({
  kty: Type.Optional(Type.String()),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  kid: Type.Optional(Type.String()),
  alg: Type.Optional(Type.String()),
  use: Type.Optional(Type.String()),
});
export type Jwk = Static<typeof JwkSchema>;

export const JwksSchema = Type.Object({ keys: Type.Array(JwkSchema) });
export type Jwks = Static<typeof JwksSchema>;
