/**
 * Text sizes (issue 18, accessibility): body text and small print at 13 px or more in both
 * densities (« Affichage : confortable / compact »), and no component sizing text under it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

describe('the style sheet', () => {
  const renderer = resolve(__dirname, '..', '..', 'src/renderer')
  const css = readFileSync(join(renderer, 'styles/base.css'), 'utf8')
  const px = (name: string, block: string) => Number(new RegExp(`${name}:\\s*([\\d.]+)px`).exec(block)?.[1])

  it('keeps body text and small print at 13 px or more, compact included', () => {
    const compact = /\[data-density='compact'\]\s*\{([^}]*)\}/.exec(css)![1]!
    expect(px('--body-size', css)).toBeGreaterThanOrEqual(13)
    expect(px('--body-size', compact)).toBeGreaterThanOrEqual(13)
    expect(px('--text-small', css)).toBeGreaterThanOrEqual(13)
  })

  it('sizes no text of any screen under 13 px, in rem or in px', () => {
    const rootSize = Number(/font-size:\s*([\d.]+)px;/.exec(css)![1])
    const files = (readdirSync(renderer, { recursive: true }) as string[]).filter((f) =>
      /\.(vue|css)$/.test(f),
    )
    const tooSmall = files.flatMap((file) =>
      [...readFileSync(join(renderer, file), 'utf8').matchAll(/font-size:\s*([\d.]+)(rem|px)/g)]
        .map(([, n, unit]) => ({ file, size: Number(n) * (unit === 'rem' ? rootSize : 1) }))
        .filter((s) => s.size < 13),
    )
    expect(tooSmall).toEqual([])
  })
})
