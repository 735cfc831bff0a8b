import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@marketplace/testing';
import { fakeBackingServices, portEnv, runScript, startSandbox } from './sandbox.ts';

// npm start, run for real against stub services in a temporary copy of scripts/.
describe('npm start (scripts/start.mjs)', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let backing: Awaited<ReturnType<typeof fakeBackingServices>>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    backing = await fakeBackingServices();
  });
  afterAll(async () => {
    await backing.close();
    await sandbox.remove();
  });

  it('when RabbitMQ is unreachable, then it names the URL, says how to start it, and exits 1', async () => {
    const closed = `amqp://guest:secret@127.0.0.1:${await freePort()}`;
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: backing.env.MYSQL_URL,
      RABBITMQ_URL: closed,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `RabbitMQ is not reachable at ${closed.replace('secret', '***')}`,
    );
    expect(run.output()).toContain('rabbitmq-server -detached');
    expect(run.output()).not.toContain('secret');
    expect(run.output()).not.toContain('Starting');
  });

  it('when something else answers on the MySQL port, then it says so and exits 1', async () => {
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: backing.env.RABBITMQ_URL.replace('amqp', 'mysql'),
      RABBITMQ_URL: backing.env.RABBITMQ_URL,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/MySQL is not reachable at .*is it the right server/);
    expect(run.output()).toContain(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    );
  }, 10_000);

  it('when a service fails during start-up, then it shows its last lines and stops the others', async () => {
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      ...backing.env,
      STUB_FAIL: 'order-service',
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('order-service exited during start-up (exit code 3)');
    expect(run.output()).toContain('cannot start: STUB_FAIL');
    expect(run.output()).toMatch(/user\s+│ .*INFO\s+stopping/);
  }, 30_000);

  it('when all are ready, then it prints the URL and demo accounts, and SIGTERM stops them all', async () => {
    const ports = await portEnv();
    const run = runScript(sandbox.root, { ...ports, ...backing.env });
    await waitFor(() => (run.output().includes('Stop with Ctrl+C') ? true : undefined), {
      timeoutMs: 30_000,
      what: `the start banner; output so far:\n${run.output()}`,
    });
    const output = run.output();
    expect(output).toContain(`http://localhost:${ports.GATEWAY_PORT}`);
    expect(output).toContain('/api/docs/openapi.json');
    expect(output).toMatch(/buyer\s+buyer@demo\.marketplace\.test/);
    // The development mail catcher ran (a real maildev) and its inbox is printed.
    expect(output).toContain(`Mail inbox http://localhost:${ports.MAIL_UI_PORT}`);
    const inbox = await fetch(`http://127.0.0.1:${ports.MAIL_UI_PORT}/`, {
      headers: { accept: 'text/html' },
    });
    expect(inbox.status).toBe(200);
    expect(output).toMatch(/started in \d+\.\d s/);
    // user-service first, the gateway last, each told its port and where the JWKS is.
    expect(output.indexOf('Starting user-service')).toBeLessThan(
      output.indexOf('Starting gateway'),
    );
    expect(output).toContain(
      `jwks=http://127.0.0.1:${ports.USER_SERVICE_PORT}/.well-known/jwks.json`,
    );
    expect(output).toMatch(
      /notification │ \d\d:\d\d:\d\d\.\d{3} INFO\s+listening port=\d+ seed=true/,
    );

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().match(/│ .*INFO\s+stopping/g)).toHaveLength(5);
  }, 40_000);
});
