import fc from 'fast-check';

/** The part of JSON Schema that the services' OpenAPI documents use for parameters and bodies. */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';
  enum?: readonly unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  propertyNames?: JsonSchema;
  anyOf?: readonly JsonSchema[];
}

/**
 * A JSON value written out exactly as given: the numbers JSON.stringify cannot write (1e309,
 * -0, NaN), or a text that is not JSON at all.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object written with its pairs in order, the same key possibly more than once. */
export class RepeatedKeys {
  constructor(readonly pairs: readonly (readonly [string, unknown])[]) {}
}

/** A JSON text of a generated value, RawJson and RepeatedKeys written as they are. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof RepeatedKeys)
    return `{${value.pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Strings a schema's type lets through and a careless handler or database trips on. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  'a\uDFFFb',
  '\u202Egnp.exe',
  "' OR '1'='1' -- ",
  '1; DROP TABLE products; --',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '__proto__',
  'constructor',
  '{"$gt":""}',
  '${jndi:ldap://x}',
  '\\',
  '😀'.repeat(60),
  'x'.repeat(5_001),
  'http://169.254.169.254/latest/meta-data/',
];

/** Numbers (and look-alikes) that slip through a type check or break arithmetic and SQL. */
const HOSTILE_NUMBERS: readonly RawJson[] = [
  '1e309',
  '-1e309',
  '-0',
  '1e-400',
  'NaN',
  'Infinity',
  '9007199254740993',
  '1.5',
  '-1',
  '0',
  '2147483648',
  '"1"',
  'null',
  'true',
  '[]',
  '{}',
].map((text) => new RawJson(text));

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileNumber = fc.constantFrom(...HOSTILE_NUMBERS);
const hostileAny = fc.oneof(hostileString, hostileNumber);

/** A string the pattern accepts, or any string when fast-check cannot read the pattern. */
function patterned(pattern: string, maxLength: number): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= maxLength);
  } catch {
    return fc.string({ maxLength });
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  const minLength = Math.min(schema.minLength ?? 0, maxLength);
  switch (schema.format ?? '') {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    default:
      return schema.pattern
        ? patterned(schema.pattern, maxLength)
        : fc.string({ minLength, maxLength, unit: 'grapheme' });
  }
}

/** A value that fits the schema, as a well-behaved client would send it. */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validValue(s)));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)),
      });
    case 'object':
      return objectOf(schema, validValue);
    case undefined:
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(
  schema: JsonSchema,
  value: (schema: JsonSchema) => fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, value(s)]));
  const extra =
    typeof schema.additionalProperties === 'object'
      ? fc.dictionary(
          schema.propertyNames?.pattern
            ? patterned(schema.propertyNames.pattern, 32)
            : fc.string({ maxLength: 10 }),
          value(schema.additionalProperties),
          { maxKeys: 3 },
        )
      : fc.constant({});
  return fc
    .tuple(fc.record(model, { requiredKeys: [...(schema.required ?? [])] }), extra)
    .map(([known, more]) => ({ ...more, ...known }));
}

/**
 * A value shaped by the schema with hostile parts: now and then a field is swapped for a hostile
 * value, dropped, or joined by an unknown or a repeated key; the rest stays valid so the request
 * reaches past the first check.
 */
export function hostileValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const shaped: fc.Arbitrary<unknown> =
    schema.type === 'object'
      ? hostileObject(schema)
      : schema.type === 'array'
        ? fc.array(hostileValue(schema.items ?? {}), { maxLength: 3 })
        : validValue(schema);
  return fc.oneof({ arbitrary: shaped, weight: 3 }, { arbitrary: hostileAny, weight: 1 });
}

function hostileObject(schema: JsonSchema): fc.Arbitrary<unknown> {
  const base = objectOf(schema, hostileValue);
  const keys = Object.keys(schema.properties ?? {});
  const unknownKey = fc.constantFrom('__proto__', 'constructor', 'role', 'id', 'sellerId', '');
  return fc.oneof(
    { arbitrary: base, weight: 4 },
    {
      arbitrary: fc
        .tuple(base, unknownKey, hostileAny)
        .map(([object, key, value]) => new RepeatedKeys([...Object.entries(object), [key, value]])),
      weight: 1,
    },
    {
      // The same key twice: which one wins must not matter to what is checked and stored.
      arbitrary:
        keys.length === 0
          ? base
          : fc
              .tuple(base, fc.constantFrom(...keys), hostileAny)
              .map(
                ([object, key, value]) =>
                  new RepeatedKeys([...Object.entries(object), [key, value]]),
              ),
      weight: 1,
    },
  );
}

/** A query or path value: the schema's own, written as text, or a hostile text. */
export function hostileText(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    {
      arbitrary: validValue(schema).map((v) => (typeof v === 'string' ? v : toJsonText(v))),
      weight: 3,
    },
    {
      arbitrary: fc.oneof(
        hostileString,
        fc.constantFrom('Infinity', '1e309', '-0', 'NaN', '0x10', '1.5', '-1', 'true', '[]'),
      ),
      weight: 2,
    },
  );
}

/**
 * Percent-encodes a text for a URL, a lone surrogate as the bytes a naive encoder would write
 * (CESU-8: not valid UTF-8), where encodeURIComponent would throw.
 */
export function encodeText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(char);
  }
  return out;
}
