/**
 * The groups' icons on the map: each count drawn once, as a disc of the radius hit-testing
 * uses, ringed in white, its count in the middle, sharp at the screen's pixel density, and
 * never over another count's icon in a shared canvas.
 */
import { describe, expect, it } from 'vitest'
import {
  CLUSTER_BORDER_PX,
  CLUSTER_MAX_RADIUS_PX,
  ClusterIconAtlas,
  clusterRadius,
  type ClusterIconContext,
} from '../../../src/renderer/composables/clusterIcon'
import { CLUSTER_COLOUR } from '../../../src/renderer/composables/mapStyle'

interface Disc {
  x: number
  y: number
  radius: number
  fill: string
  ring: { colour: string; width: number }
}
interface Label {
  text: string
  x: number
  y: number
  font: string
  colour: string
}

interface RecordingCanvas {
  width: number
  height: number
  discs: Disc[]
  labels: Label[]
  getContext(): ClusterIconContext
}

/** A canvas that records, in device pixels, the discs and labels drawn on it. */
function recordingCanvas(): RecordingCanvas {
  const discs: Disc[] = []
  const labels: Label[] = []
  let transform = [1, 0, 0, 1, 0, 0]
  let path: { x: number; y: number; radius: number } | null = null
  let filled: Partial<Disc> = {}
  const device = (x: number, y: number) => {
    const [a = 1, , , d = 1, e = 0, f = 0] = transform
    return { x: a * x + e, y: d * y + f, scale: a }
  }
  const context = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    setTransform(...m: number[]) {
      transform = m
    },
    beginPath() {
      path = null
    },
    arc(x: number, y: number, radius: number) {
      const at = device(x, y)
      path = { x: at.x, y: at.y, radius: radius * at.scale }
    },
    fill() {
      filled = { ...path!, fill: String(context.fillStyle) }
    },
    stroke() {
      const ring = { colour: String(context.strokeStyle), width: context.lineWidth * device(0, 0).scale }
      discs.push({ ...filled, ring } as Disc)
    },
    fillText(text: string, x: number, y: number) {
      const at = device(x, y)
      labels.push({ text, x: at.x, y: at.y, font: context.font, colour: String(context.fillStyle) })
    },
  }
  return {
    width: 0,
    height: 0,
    discs,
    labels,
    getContext: () => context as unknown as ClusterIconContext,
  }
}

function atlas(pixelRatio: number) {
  const canvases: RecordingCanvas[] = []
  const icons = new ClusterIconAtlas(() => {
    const canvas = recordingCanvas()
    canvases.push(canvas)
    return canvas
  }, pixelRatio)
  return { icons, canvases }
}

describe('cluster icons', () => {
  it('draw a disc of the radius hit-testing uses, ringed in white, the count in bold white in its middle', () => {
    const { icons, canvases } = atlas(1)
    const icon = icons.iconOf(250)
    const [disc] = canvases[0]!.discs
    const [label] = canvases[0]!.labels
    const [x, y] = icon.offset
    const [width, height] = icon.size
    expect(disc).toMatchObject({ x: x + width / 2, y: y + height / 2, fill: CLUSTER_COLOUR })
    expect(disc!.radius).toBeCloseTo(clusterRadius(250))
    expect(disc!.ring).toEqual({ colour: '#ffffff', width: CLUSTER_BORDER_PX })
    expect(label).toMatchObject({ text: '250', x: disc!.x, y: disc!.y, colour: '#ffffff' })
    expect(label!.font).toMatch(/^700 12px/)
  })

  it('grow with the count up to a cap, the icon always holding the whole ring', () => {
    expect(clusterRadius(10)).toBeLessThan(clusterRadius(100))
    expect(clusterRadius(1_000_000)).toBe(CLUSTER_MAX_RADIUS_PX)
    const { icons } = atlas(1)
    for (const count of [2, 10, 999, 1_000_000]) {
      const [width] = icons.iconOf(count).size
      expect(width).toBeGreaterThanOrEqual(2 * (clusterRadius(count) + CLUSTER_BORDER_PX / 2))
    }
  })

  it('are drawn at the screen density, to be shown at 1 / pixelRatio', () => {
    const { icons, canvases } = atlas(2)
    const icon = icons.iconOf(40)
    const [disc] = canvases[0]!.discs
    expect(disc!.radius).toBeCloseTo(2 * clusterRadius(40))
    expect(disc!.ring.width).toBe(2 * CLUSTER_BORDER_PX)
    expect(icon.size[0]).toBeGreaterThanOrEqual(2 * 2 * (clusterRadius(40) + CLUSTER_BORDER_PX / 2))
  })

  it('draw each count once, however many groups show it', () => {
    const { icons, canvases } = atlas(1)
    const first = icons.iconOf(7)
    expect(icons.iconOf(7)).toBe(first)
    expect(canvases.flatMap((c) => c.labels).map((l) => l.text)).toEqual(['7'])
  })

  it('never overlap in a shared canvas, and open a new canvas once one is full', () => {
    const { icons, canvases } = atlas(1.5)
    const all = Array.from({ length: 600 }, (_, i) => icons.iconOf(i + 2))
    expect(canvases.length).toBeGreaterThan(1)
    for (const canvas of canvases) {
      const boxes = all.filter((icon) => icon.img === canvas)
      for (const { offset, size } of boxes) {
        expect(offset[0] + size[0]).toBeLessThanOrEqual(canvas.width)
        expect(offset[1] + size[1]).toBeLessThanOrEqual(canvas.height)
      }
      const overlapping = boxes.some((a, i) =>
        boxes
          .slice(i + 1)
          .some(
            (b) =>
              a.offset[0] < b.offset[0] + b.size[0] &&
              b.offset[0] < a.offset[0] + a.size[0] &&
              a.offset[1] < b.offset[1] + b.size[1] &&
              b.offset[1] < a.offset[1] + a.size[1],
          ),
      )
      expect(overlapping).toBe(false)
    }
    // Each label sits inside its own icon.
    const labels = canvases.flatMap((canvas) => canvas.labels.map((label) => ({ canvas, label })))
    for (const [i, icon] of all.entries()) {
      const { canvas, label } = labels[i]!
      expect(canvas).toBe(icon.img)
      expect(label.text).toBe(String(i + 2))
      expect(label.x).toBeGreaterThan(icon.offset[0])
      expect(label.x).toBeLessThan(icon.offset[0] + icon.size[0])
      expect(label.y).toBeGreaterThan(icon.offset[1])
      expect(label.y).toBeLessThan(icon.offset[1] + icon.size[1])
    }
  })
})
