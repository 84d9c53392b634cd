/**
 * The map frame bench page (scripts/benchMap.ts builds and drives it):
 * `?mode=webgl|baseline&points=N`. `window.mapBench.run()` builds the map over N synthetic
 * points, warms up, then times each scripted move.
 */
import type OlMap from 'ol/Map'
import { DotsLayer } from '../../src/renderer/composables/mapDots'
import { createBaselineMap } from './baseline'
import { breathe, frameClock, type FrameClock } from './frames'
import { mountOurs } from './ours'
import { syntheticPoints } from './points'
import { benchSteps, startStep, warmupSteps } from './steps'
import { MAP_BENCH_MODES, type MapBenchApi, type MapBenchMode, type MapBenchResult } from './result'

declare global {
  interface Window {
    mapBench?: MapBenchApi
  }
}

/** The WebGL Chromium gives pages, or an error saying how to get one. */
function webglRenderer(): string {
  const gl =
    document.createElement('canvas').getContext('webgl2') ??
    document.createElement('canvas').getContext('webgl')
  if (!gl)
    throw new Error(
      'no WebGL context in this Chromium: launch it with --use-angle=swiftshader --enable-unsafe-swiftshader',
    )
  const info = gl.getExtension('WEBGL_debug_renderer_info')
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER))
}

/** Our dots really went through WebGL: the points layer's canvas holds coloured pixels. */
function assertWebGLDrew(map: OlMap): void {
  const layer = map
    .getLayers()
    .getArray()
    .find((l): l is DotsLayer => l instanceof DotsLayer)
  if (!layer) throw new Error('RequestPointsLayer added no WebGL dots layer')
  map.renderSync()
  // The drawing buffer is still readable in the task that drew it.
  const helper = (layer.getRenderer() as unknown as { helper?: { getGL(): WebGLRenderingContext } }).helper
  const gl = helper?.getGL()
  if (!gl || gl.isContextLost()) throw new Error('the WebGL points layer has no live WebGL context')
  const { drawingBufferWidth: width, drawingBufferHeight: height } = gl
  const pixels = new Uint8Array(width * height * 4)
  gl.bindFramebuffer(gl.FRAMEBUFFER, null)
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels)
  let painted = 0
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++
  if (painted === 0) throw new Error('the WebGL points layer drew nothing at street level')
}

interface BenchMap {
  map: OlMap
  clock: FrameClock
  drawn(): { singles: number; clusters: number }
}

function createMap(
  mode: MapBenchMode,
  target: HTMLElement,
  points: ReturnType<typeof syntheticPoints>,
): BenchMap {
  const start = startStep()
  if (mode === 'baseline') {
    const { map, drawn } = createBaselineMap(target, points)
    map.getView().setCenter(start.center)
    map.getView().setZoom(start.zoom)
    return { map, clock: frameClock(map), drawn }
  }
  let clock: FrameClock | null = null
  const { map, drawn } = mountOurs(target, points, (olMap) => {
    olMap.getView().setCenter(start.center)
    olMap.getView().setZoom(start.zoom)
    clock = frameClock(olMap)
  })
  return { map, clock: clock!, drawn }
}

async function run(mode: MapBenchMode, count: number): Promise<MapBenchResult> {
  const renderer = webglRenderer()
  const target = document.getElementById('map')
  if (!target) throw new Error('#map is missing')
  const points = syntheticPoints(count)

  const setupStarted = performance.now()
  const bench = createMap(mode, target, points)
  // The first frame has no `moveend` (nothing to compare with): draw until something is on screen.
  for (let attempt = 0; attempt < 5 && bench.drawn().singles + bench.drawn().clusters === 0; attempt++) {
    bench.map.render()
    await bench.clock.settle()
  }
  const setupMs = performance.now() - setupStarted
  if (bench.drawn().singles + bench.drawn().clusters === 0)
    throw new Error(`${mode}: nothing drawn after setup`)

  for (const step of [...warmupSteps(), startStep()]) {
    await bench.clock.frame(step)
    await breathe()
  }
  const frames: MapBenchResult['frames'] = []
  for (const step of benchSteps()) {
    const timing = await bench.clock.frame(step)
    const { singles, clusters } = bench.drawn()
    frames.push({ label: step.label, kind: step.kind, ...timing, drawn: singles + clusters })
    await breathe()
  }
  if (mode === 'webgl') {
    await bench.clock.frame({ ...startStep(), zoom: 17 })
    if (bench.drawn().singles === 0) throw new Error('webgl: no lone point drawn at street level')
    assertWebGLDrew(bench.map)
  }
  return { mode, points: count, setupMs, frames, webglRenderer: renderer }
}

const query = new URLSearchParams(location.search)
const mode = query.get('mode') as MapBenchMode
const count = Number(query.get('points') ?? 200_000)
window.mapBench = {
  run() {
    if (!MAP_BENCH_MODES.includes(mode)) return Promise.reject(new Error(`unknown mode ${mode}`))
    if (!Number.isSafeInteger(count) || count < 1) return Promise.reject(new Error(`bad points ${count}`))
    return run(mode, count)
  },
}
