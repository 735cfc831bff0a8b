#!/usr/bin/env node
// Bundles every service (or those named) into <service>/dist/server.mjs; see lib/build.mjs.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices } from './lib/build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['user-service', 'product-service', 'order-service', 'notification-service', 'gateway'];
const services = process.argv.length > 2 ? process.argv.slice(2) : ALL;
const ms = await buildServices(ROOT, services);
process.stdout.write(`built ${services.join(', ')} in ${ms} ms\n`);
