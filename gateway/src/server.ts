import { startService } from '@marketplace/service-kit';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await startService({ name: 'gateway', loadConfig, buildApp });
