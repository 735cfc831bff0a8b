export {
  createServiceApp,
  type ServiceApp,
  type ServiceAppOptions,
  type ReadinessCheck,
} from './app.ts';
export { errorsPlugin, type ErrorsOptions } from './plugins/errors.ts';
export { healthPlugin, type HealthOptions } from './plugins/health.ts';
export { docsPlugin, type DocsOptions } from './plugins/docs.ts';
export { metricsPlugin, type MetricsOptions } from './plugins/metrics.ts';
export { PluginOptionError } from './plugins/options.ts';
export {
  loadConfig,
  configLoader,
  ConfigError,
  isProduction,
  productionProblems,
  PRODUCTION_RULE,
  type ProductionRule,
} from './config.ts';
export { AppError, toProblem, problemType, type AppErrorExtra, type FieldError } from './errors.ts';
export { startService, type ServerConfig, type StartOptions } from './server.ts';
export {
  serverConfig,
  databaseConfig,
  brokerConfig,
  tokenClaimsConfig,
  tokenVerifyConfig,
  internalTokenConfig,
  demoSeedConfig,
  secret,
  credentialsUrl,
  developmentOnly,
  explicitInProduction,
  type SecretOptions,
} from './config-fragments.ts';
export {
  addressListConfig,
  clientNetwork,
  LOOPBACK_PROXIES,
  parseAddressList,
} from './client-address.ts';
