export { AppConfigSchema, type AppConfig } from './schema'
export {
  loadConfig,
  parseConfig,
  machineConfigPath,
  ConfigError,
  ignoredKeyMessage,
  type IgnoredKey,
  type LoadedConfig,
  type ConfigLayer,
} from './load'
