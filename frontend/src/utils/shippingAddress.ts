import type { Address, ShippingAddress, User } from '@marketplace/contracts';

const STORAGE_KEY = 'marketplace.shippingAddress';

/** The checkout form's address: every field there, `''` while blank. */
export type AddressForm = Required<ShippingAddress>;

export function emptyAddress(name = ''): AddressForm {
  return { name, line1: '', line2: '', city: '', postalCode: '', country: '' };
}

const FIELDS = Object.keys(emptyAddress());

/** The last address used at checkout, so a returning buyer does not type it again. */
export function loadLastAddress(): Partial<AddressForm> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    // Only string fields are taken: storage is not trusted to hold what we wrote.
    const entries = Object.entries(parsed).filter(
      ([key, value]) => FIELDS.includes(key) && typeof value === 'string',
    );
    return Object.fromEntries(entries);
  } catch {
    return {};
  }
}

export function saveLastAddress(address: ShippingAddress): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(address));
}

/** The address as the API wants it: trimmed, optional parts left out when blank. */
export function cleanAddress(address: AddressForm): ShippingAddress {
  const clean: ShippingAddress = {
    name: address.name.trim(),
    line1: address.line1.trim(),
    city: address.city.trim(),
    postalCode: address.postalCode.trim(),
    country: address.country.trim().toUpperCase(),
  };
  const line2 = address.line2.trim();
  if (line2) clean.line2 = line2;
  return clean;
}

/**
 * The form's first values: the profile's address (its recipient defaulting to the profile's
 * name), else the last one used at checkout in this browser.
 */
export function initialAddress(user: Pick<User, 'name' | 'address'> | null): AddressForm {
  const profile = user?.address;
  if (profile) {
    return {
      ...emptyAddress(),
      ...profile,
      name: profile.name ?? user.name,
      line2: profile.line2 ?? '',
    };
  }
  return { ...emptyAddress(user?.name ?? ''), ...loadLastAddress() };
}

/** The same address as the profile's (the recipient's name aside)? */
export function sameAsProfile(address: ShippingAddress, profile: Address | null): boolean {
  if (!profile) return false;
  return (
    address.line1 === profile.line1 &&
    (address.line2 ?? '') === (profile.line2 ?? '') &&
    address.city === profile.city &&
    address.postalCode === profile.postalCode &&
    address.country === profile.country
  );
}
