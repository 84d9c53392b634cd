/**
 * `node scripts/render-icon.mjs`: renders resources/icons/icon.svg to icon.png (1024×1024,
 * transparent corners) with Debian's Chromium, for electron-builder, which makes the .ico
 * and .icns from it. Run again after changing the SVG; the PNG is committed.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons')
const svg = readFileSync(join(dir, 'icon.svg'), 'utf8')
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } })
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
  await page.locator('svg').screenshot({ path: join(dir, 'icon.png'), omitBackground: true })
} finally {
  await browser.close()
}
