/**
 * Packaging (`npm run dist`: electron-vite build, then electron-builder into release/).
 * Installers are built on the OS they target (native modules cannot be cross-compiled):
 * `npm run dist -- --linux deb rpm AppImage`, `--win nsis msi`, `--mac dmg`.
 *
 * A function of the environment, read by electron-builder at each build:
 * `GRC_DEMO_BUILD=1` packs the demo accounts (and the renderer/main say « Démonstration »);
 * without it the package has none, and a console with no directory refuses to start.
 */
import type { Configuration } from 'electron-builder'

/** Electron fuses, flipped in the binary at packaging: what an attacker on the workstation could otherwise use. */
export const FUSES = {
  // ELECTRON_RUN_AS_NODE would turn the signed app into a Node.js that runs any script.
  runAsNode: false,
  // Cookies (none today, but Chromium's storage) encrypted with the OS keychain.
  enableCookieEncryption: true,
  // NODE_OPTIONS and --inspect would let anyone inject code into the main process.
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  // app.asar checked against the hash in the binary, and loaded from nowhere else.
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // The renderer is served from app://, never file://.
  grantFileProtocolExtraPrivileges: false,
} as const

/** What Debian and Fedora must install beside the app: Chromium's libraries and the keychain (libsecret). */
const DEB_DEPENDS = [
  'libgtk-3-0',
  'libnotify4',
  'libnss3',
  'libxss1',
  'libxtst6',
  'xdg-utils',
  'libatspi2.0-0',
  'libuuid1',
  'libsecret-1-0',
]
const RPM_DEPENDS = [
  'gtk3',
  'libnotify',
  'nss',
  'libXScrnSaver',
  'libXtst',
  'xdg-utils',
  'at-spi2-core',
  'libuuid',
  'libsecret',
]

export function builderConfig(env: NodeJS.ProcessEnv = process.env): Configuration {
  const demo = env.GRC_DEMO_BUILD === '1'
  return {
    appId: 'fr.grc.console',
    productName: 'GRC Console',
    copyright: 'Copyright © GRC Console contributors',
    // electron-builder reads package.json's description and author; said here too for the installers.
    directories: { output: 'release', buildResources: 'build' },

    // The bundles only; package.json and the production node_modules
    // (better-sqlite3-multiple-ciphers, zod, ldapts, eventsource-parser) are always added by
    // electron-builder. The reference server's packages (fastify) are dev dependencies.
    files: ['out/**', '!**/*.map'],

    // Workflows, demo data and the territory outline stay plain files beside app.asar
    // (process.resourcesPath), so IT can read them and the core opens them with fs. The
    // demo accounts (password « demo », known to all) only in a demo build.
    extraResources: [
      { from: 'resources', to: '.', filter: ['**/*', ...(demo ? [] : ['!demo/accounts.json'])] },
    ],

    asar: true,
    // A .node file cannot be loaded from inside an asar archive.
    asarUnpack: ['**/node_modules/better-sqlite3-multiple-ciphers/**/*.node'],
    // electron-builder rebuilds native modules for Electron's ABI while packaging, in place:
    // `npm run dist` runs `npm rebuild better-sqlite3-multiple-ciphers` afterwards.
    npmRebuild: true,
    buildDependenciesFromSource: false,
    electronFuses: { ...FUSES },

    // Writes latest.yml / latest-linux.yml / latest-mac.yml beside the installers: IT copies
    // them with the installers to its update server. The console takes the server's address
    // from the machine configuration (`update.url`), so this address is only a placeholder.
    publish: { provider: 'generic', url: 'https://mises-a-jour.invalid/grc' },
    // No spaces in file names: IT deployment scripts quote badly.
    artifactName: 'grc-console-${version}-${arch}.${ext}',

    win: {
      icon: 'resources/icons/icon.png',
      target: [
        { target: 'nsis', arch: ['x64'] },
        { target: 'msi', arch: ['x64'] },
      ],
    },
    // Per machine, for IT: `grc-console-x.y.z-x64.exe /S /SERVERURL=https://grc.ville.fr /D=C:\Apps\GRC`
    // (silent; /D last, unquoted). /SERVERURL writes the machine configuration if there is none
    // (build/installer.nsh), where it is locked (docs/deployment.md).
    nsis: {
      oneClick: false,
      perMachine: true,
      allowElevation: true,
      allowToChangeInstallationDirectory: true,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      runAfterFinish: false,
      include: 'build/installer.nsh',
    },
    // The MSI is for GPO / SCCM / Intune: per machine, never starts the app; the server URL
    // and the rest come by GPO (HKLM\Software\Policies\GRC Console) or the machine file.
    msi: { oneClick: true, perMachine: true, runAfterFinish: false, createDesktopShortcut: false },

    linux: {
      icon: 'resources/icons/icon.png',
      target: ['AppImage', 'deb', 'rpm'],
      category: 'Office',
      maintainer: 'GRC Console <support@grc-console.example>',
      vendor: 'GRC Console',
      synopsis: 'Console de gestion de la relation citoyen',
      description:
        'Console des agents pour la gestion de la relation citoyen (GRC) des collectivités : ' +
        'file de travail, circuits, carte et tournées, hors ligne, synchronisée avec le serveur central.',
    },
    // The machine configuration's folder, made by the package (IT drops config.json there);
    // the script starts nothing.
    deb: { depends: DEB_DEPENDS, afterInstall: 'build/linux-after-install.sh' },
    rpm: { depends: RPM_DEPENDS, afterInstall: 'build/linux-after-install.sh' },

    mac: {
      icon: 'resources/icons/icon.png',
      target: ['dmg'],
      category: 'public.app-category.business',
      hardenedRuntime: true,
    },
  }
}

export default () => builderConfig()
