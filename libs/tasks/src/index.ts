export {
  PeriodicTask,
  startPeriodicTask,
  type Logger,
  type PeriodicTaskOptions,
} from './periodic-task.ts';
export type { Registry } from 'prom-client';
