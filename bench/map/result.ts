/**
 * What the map bench page hands back to scripts/benchMap.ts: plain data, no DOM types, so
 * the Node side can import it.
 */

/** `webgl`: our OlMap + RequestPointsLayer; `baseline`: a plain ol/source/Cluster on a canvas layer. */
export type MapBenchMode = 'webgl' | 'baseline'

export const MAP_BENCH_MODES: readonly MapBenchMode[] = ['webgl', 'baseline']

export interface MapBenchFrame {
  /** `zoom` or `pan`, then where: "zoom 11→11.5". */
  label: string
  kind: 'zoom' | 'pan'
  ms: number
  /** Frames OpenLayers drew before settling, the time they took, the time spent waiting on workers. */
  renders: number
  renderMs: number
  waitedMs: number
  flushMs: number
  /** Features drawn once the frame settled (lone points + clusters). */
  drawn: number
}

export interface MapBenchResult {
  mode: MapBenchMode
  points: number
  /** From mounting the map to its first complete frame (index or clusters built, layers drawn). */
  setupMs: number
  frames: MapBenchFrame[]
  /** The WebGL implementation Chromium used (e.g. SwiftShader). */
  webglRenderer: string
}

/** What the page puts on `window.mapBench`. */
export interface MapBenchApi {
  run(): Promise<MapBenchResult>
}
