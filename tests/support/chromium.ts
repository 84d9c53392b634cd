/**
 * Debian's Chromium, headless, as the browser tests and the map benchmark launch it: no
 * sandbox (containers), nothing fetched in the background. `webgl`: SwiftShader's software
 * GL, which the map's points layer needs (without it, `--disable-gpu` keeps pages lighter).
 */
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const QUIET = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export function launchChromium(options: { webgl?: boolean } = {}): Promise<Browser> {
  const gl = options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : ['--disable-gpu']
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...QUIET, ...gl] })
}
