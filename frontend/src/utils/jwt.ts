/** Seconds since the epoch at which a JWT expires, read without verifying (the server verifies). */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : null;
  } catch {
    return null;
  }
}

export function expiresWithin(token: string, seconds: number): boolean {
  const exp = tokenExpiry(token);
  return exp !== null && exp - Date.now() / 1000 < seconds;
}
