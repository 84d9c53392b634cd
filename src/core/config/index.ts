export { AppConfigSchema, type AppConfig } from './schema'
export {
  loadConfig,
  parseConfig,
  machineConfigPath,
  ConfigError,
  type LoadedConfig,
  type ConfigLayer,
} from './load'
