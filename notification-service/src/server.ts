import { startService } from '@marketplace/service-kit';
import { buildApp, prepare } from './app.ts';
import { loadConfig } from './config.ts';

await startService({ name: 'notification-service', loadConfig, prepare, buildApp });
