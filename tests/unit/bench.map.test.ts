/**
 * The map bench compares two renderers over the same moves and the same points: both must
 * hold run after run, or its figures stop being comparable.
 */
import { describe, expect, it } from 'vitest'
import { syntheticPoints, TERRITORY } from '../../bench/map/points'
import { benchSteps, startStep } from '../../bench/map/steps'

describe('map bench points', () => {
  it('are the same on every run, and differ with the seed', () => {
    expect(syntheticPoints(500)).toEqual(syntheticPoints(500))
    expect(syntheticPoints(500, 7)).not.toEqual(syntheticPoints(500))
  })

  it('lie in the Grand Nancy and carry several statuses to colour', () => {
    const points = syntheticPoints(5000)
    expect(points).toHaveLength(5000)
    for (const p of points) {
      expect(p.lon).toBeGreaterThanOrEqual(TERRITORY.minLon)
      expect(p.lon).toBeLessThanOrEqual(TERRITORY.maxLon)
      expect(p.lat).toBeGreaterThanOrEqual(TERRITORY.minLat)
      expect(p.lat).toBeLessThanOrEqual(TERRITORY.maxLat)
    }
    expect(new Set(points.map((p) => p.status)).size).toBeGreaterThanOrEqual(5)
    expect(new Set(points.map((p) => p.id)).size).toBe(5000)
  })
})

describe('map bench moves', () => {
  const steps = benchSteps()

  it('zoom from the whole territory to street level and back', () => {
    const zooms = steps.map((s) => s.zoom)
    expect(startStep().zoom).toBe(11)
    expect(Math.max(...zooms)).toBe(18)
    expect(zooms.at(-1)).toBe(11)
  })

  it('pan at several zooms, each pan keeping the zoom and each zoom changing it', () => {
    const panZooms = new Set(steps.filter((s) => s.kind === 'pan').map((s) => s.zoom))
    expect(panZooms.size).toBeGreaterThanOrEqual(3)
    let previous = startStep()
    for (const step of steps) {
      if (step.kind === 'pan') expect(step.zoom).toBe(previous.zoom)
      else expect(step.zoom).not.toBe(previous.zoom)
      previous = step
    }
  })

  it('move the view at every step (a step that moves nothing would time an empty frame)', () => {
    let previous = startStep()
    for (const step of steps) {
      const moved =
        step.zoom !== previous.zoom ||
        step.center[0] !== previous.center[0] ||
        step.center[1] !== previous.center[1]
      expect(moved, step.label).toBe(true)
      previous = step
    }
  })
})
