/**
 * The clock that times one frame: from the view change until the map is drawn as the user
 * will see it, with everything the change set off in between (`moveend` handlers, sources
 * rebuilt, WebGL buffers from OpenLayers' worker, the extra frames those changes ask for,
 * Chromium handing the canvases to the GPU). Follow-up frames are drawn as soon as they can
 * be instead of on the next vsync: the figure is work, not display refresh.
 */
import type OlMap from 'ol/Map'
import type { Step } from './steps'

const SETTLE_TIMEOUT_MS = 30_000

export interface FrameClock {
  /** Draw until nothing more is asked for and every layer is ready. */
  settle(): Promise<void>
  /** Move the view to `step`, settle: the time taken in ms, and how it was spent. */
  frame(step: Step): Promise<FrameTiming>
}

export interface FrameTiming {
  ms: number
  /** Frames drawn (`renderSync`) before the map settled, and the time they took. */
  renders: number
  renderMs: number
  /** Time spent waiting on asynchronous work (the WebGL worker). */
  waitedMs: number
  /** The end of the task that drew last: where Chromium flushes the canvases to the GPU. */
  flushMs: number
}

/**
 * A frame OpenLayers asked for (a view change, a source or layer change, a WebGL worker
 * answering) is drawn at once with `renderSync()` instead of on the next animation frame.
 * Whether one is pending is OpenLayers' own `animationDelayKey_` (the requestAnimationFrame
 * handle `map.render()` sets); layers ask for frames through the layer group's `change`.
 */
export function frameClock(map: OlMap): FrameClock {
  const wantsFrame = () =>
    (map as unknown as { animationDelayKey_?: number }).animationDelayKey_ !== undefined
  let wake: (() => void) | null = null
  let timing: FrameTiming = { ms: 0, renders: 0, renderMs: 0, waitedMs: 0, flushMs: 0 }
  map.getLayerGroup().on('change', () => wake?.())

  async function settle() {
    const deadline = performance.now() + SETTLE_TIMEOUT_MS
    for (;;) {
      for (let frames = 0; wantsFrame(); frames++) {
        if (frames > 100) throw new Error('the map asks for frames without end')
        const started = performance.now()
        map.renderSync()
        timing.renders++
        timing.renderMs += performance.now() - started
      }
      if (!map.getLoadingOrNotReady()) return
      // A layer waits on the WebGL worker. Like requestAnimationFrame coalescing the worker's
      // answers, draw again once every layer is ready, not at each answer.
      const waiting = performance.now()
      while (map.getLoadingOrNotReady()) {
        if (performance.now() > deadline) throw new Error('the map did not settle within 30 s')
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 50)
        })
        wake = null
      }
      timing.waitedMs += performance.now() - waiting
    }
  }

  return {
    settle,
    async frame(step) {
      const view = map.getView()
      timing = { ms: 0, renders: 0, renderMs: 0, waitedMs: 0, flushMs: 0 }
      const started = performance.now()
      view.setCenter(step.center)
      view.setZoom(step.zoom)
      await settle()
      const flushing = performance.now()
      await nextTask()
      timing.flushMs = performance.now() - flushing
      timing.ms = performance.now() - started
      return timing
    },
  }
}

/**
 * Chromium finishes a canvas frame after the task that drew it (it hands the drawing to the
 * GPU process and waits there when that one lags behind): a frame ends only after that, in
 * both modes, whether the drawing happened in one task (the baseline) or across several.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => resolve()
    channel.port2.postMessage(null)
  })
}

const nextAnimationFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))

/**
 * Between measured frames: let the last one reach the screen and OpenLayers' post-render
 * tasks run, so no frame pays for the one before.
 */
export async function breathe(): Promise<void> {
  await nextAnimationFrame()
  await nextAnimationFrame()
  await new Promise((resolve) => setTimeout(resolve, 0))
}
