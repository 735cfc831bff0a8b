export {
  createServiceApp,
  type ServiceApp,
  type ServiceAppOptions,
  type ReadinessCheck,
} from './app.ts';
export { loadConfig, ConfigError } from './config.ts';
export { AppError, toProblem, problemType, type FieldError } from './errors.ts';
export { runService, exitOnStartupError, type RunOptions } from './server.ts';
export {
  serverConfig,
  databaseConfig,
  brokerConfig,
  tokenClaimsConfig,
  tokenVerifyConfig,
} from './config-fragments.ts';
