export {
  PeriodicTask,
  startPeriodicTask,
  type Logger,
  type PeriodicTaskOptions,
  type TaskSettings,
} from './periodic-task.ts';
export type { Registry } from 'prom-client';
