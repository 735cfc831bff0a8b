import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.ts';
import { startService } from './server.ts';

class Exited extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`exit ${String(code)}`);
  }
}

describe('startService', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('when the configuration is invalid, then one plain line names it and the exit code is 1', async () => {
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Exited(code);
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const buildApp = vi.fn();

    const start = startService({
      name: 'some-service',
      loadConfig: () => {
        throw new ConfigError(['PORT: must be integer', 'HOST: must be string']);
      },
      buildApp,
    });

    await expect(start).rejects.toMatchObject({ code: 1 });
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0]?.[0]).toBe(
      'some-service: cannot start: invalid configuration: PORT: must be integer; HOST: must be string\n',
    );
    expect(buildApp).not.toHaveBeenCalled();
  });
});
