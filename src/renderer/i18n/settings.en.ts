/** English words: the same keys as settings.fr.ts (the type enforces it). */
import type { settingsFr } from './settings.fr'

export const settingsEn: typeof settingsFr = {
  nav: 'Settings',
  title: 'Settings',
  intro:
    'The configuration in force on this workstation: every key, its value, where it comes from and whether IT locked it.',
  preferences: {
    title: 'My preferences',
    intro: 'Saved in your configuration file: they apply each time the console opens on this workstation.',
    language: 'Language',
    density: 'Display density',
    densities: { comfortable: 'Comfortable', compact: 'Compact' },
    startScreen: 'Screen when the console opens',
    startScreens: {
      auto: 'By my role',
      queue: 'Request queue',
      map: 'Map',
      tours: 'Tours',
      day: 'My day',
    },
    lockedHint: 'Locked by IT.',
    save: 'Save my preferences',
    saving: 'Saving…',
    saved: 'Preferences saved.',
    failed: 'The preferences were not saved: {reason}',
  },
  loading: 'Loading settings…',
  loadError: 'The settings could not be read: {reason}',
  retry: 'Try again',
  filter: 'Find a key',
  filterPlaceholder: 'e.g. sync.serverUrl',
  count: '{shown} of {total} key(s)',
  noMatch: 'No key matches “{query}”.',
  caption: 'Configuration in force',
  columns: {
    key: 'Key',
    value: 'Value',
    layer: 'Set by',
    locked: 'Lock',
  },
  layers: {
    default: 'Default',
    machine: 'Machine',
    user: 'User',
    env: 'Environment variable',
  },
  locked: 'locked by IT',
  unlocked: 'not locked',
  empty: '(empty)',
  files: {
    title: 'Configuration files',
    intro: 'Applied in this order, the last one winning except on locked keys.',
    none: 'No file: the defaults apply.',
    kinds: {
      machine: 'Machine',
      user: 'User',
      env: 'GRC_CONFIG',
    },
  },
  diagnostic: {
    title: 'Diagnostic for support',
    intro:
      'The diagnostic is a zip file with the application’s and system’s versions, the configuration shown on this screen (secrets masked), the latest logs and cache statistics (sizes, row counts, pending changes). It holds no citizen data: no request, no name, no comment.',
    export: 'Export a diagnostic',
    exporting: 'Preparing the diagnostic…',
    done: 'Diagnostic saved: {file}',
    failed: 'The diagnostic could not be prepared: {reason}',
  },
}
