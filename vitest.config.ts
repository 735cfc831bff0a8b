import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Six projects: unit (no I/O), frontend (the SPA's stores and components in happy-dom),
// integration (each suite on its own MySQL database and RabbitMQ queues), e2e (the services as
// real processes, driven through the gateway's HTTP port only), faults (the real system with one
// fault injected per suite) and security (hostile input); the last three run beside each other.
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker (cores - 1): every file in turn. The unit and
    // integration files mostly wait on MariaDB and RabbitMQ, so three at a time halve that phase
    // (about 340 s -> 180 s here). The projects below that start the whole system keep their files
    // one after another (fileParallelism: false) and run after the others.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{libs/*,gateway,user-service,product-service,order-service,notification-service}/src/**/*.test.ts',
            'tests/repo/**/*.test.ts',
          ],
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'frontend',
          include: ['frontend/src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            '{libs/*,gateway,user-service,product-service,order-service,notification-service}/test/**/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Each suite starts the real system and injects one fault (tests/faults/README.md).
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Hostile input against the real system through the gateway.
        test: {
          name: 'security',
          include: ['tests/security/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
