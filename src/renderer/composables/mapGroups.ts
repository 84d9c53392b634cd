/**
 * The groups of requests (clusters) on the map: each stamped from its count's icon onto one
 * canvas, every frame, for those in the view. A Feature per group in a VectorSource cost an
 * object, an R-tree entry and an event each time a zoom or a pan brought a few thousand new
 * groups; stamping the few hundred in view costs less than that bookkeeping.
 */
import Layer from 'ol/layer/Layer'
import type { FrameState } from 'ol/Map'
import { apply as applyTransform } from 'ol/transform'
import { ClusterIconAtlas, CLUSTER_BORDER_PX, CLUSTER_MAX_RADIUS_PX } from './clusterIcon'

export interface Group {
  /** Where, in the view's projection (EPSG:3857). */
  coordinate: number[]
  count: number
}

/** A canvas layer drawing each group as its count's disc, centred on the group's place. */
export class GroupsLayer extends Layer {
  private groups: readonly Group[] = []
  private readonly canvas = document.createElement('canvas')
  private atlas: ClusterIconAtlas<HTMLCanvasElement> | null = null

  constructor(options: { zIndex?: number } = {}) {
    super({ ...options, render: (frameState) => this.draw(frameState) })
    const style = this.canvas.style
    style.position = 'absolute'
    style.left = '0'
    style.top = '0'
    style.width = '100%'
    style.height = '100%'
    this.canvas.className = 'ol-layer request-groups'
  }

  setGroups(groups: readonly Group[]): void {
    this.groups = groups
    this.changed()
  }

  private draw(frameState: FrameState): HTMLElement {
    const ratio = frameState.pixelRatio
    const [width = 0, height = 0] = frameState.size
    const canvas = this.canvas
    const deviceWidth = Math.round(width * ratio)
    const deviceHeight = Math.round(height * ratio)
    if (canvas.width !== deviceWidth || canvas.height !== deviceHeight) {
      canvas.width = deviceWidth
      canvas.height = deviceHeight
    }
    const context = canvas.getContext('2d')
    if (!context) return canvas
    context.clearRect(0, 0, deviceWidth, deviceHeight)
    if (this.atlas?.pixelRatio !== ratio)
      // First frame, or the window moved to a screen of another density: sharp icons for this one.
      this.atlas = new ClusterIconAtlas(() => document.createElement('canvas'), ratio)
    const reach = CLUSTER_MAX_RADIUS_PX + CLUSTER_BORDER_PX
    const pixel = [0, 0]
    for (const { coordinate, count } of this.groups) {
      pixel[0] = coordinate[0] ?? 0
      pixel[1] = coordinate[1] ?? 0
      applyTransform(frameState.coordinateToPixelTransform, pixel)
      const [x = 0, y = 0] = pixel
      if (x < -reach || y < -reach || x > width + reach || y > height + reach) continue
      const { img, offset, size } = this.atlas.iconOf(count)
      const [w, h] = size
      context.drawImage(
        img,
        offset[0],
        offset[1],
        w,
        h,
        Math.round(x * ratio - w / 2),
        Math.round(y * ratio - h / 2),
        w,
        h,
      )
    }
    return canvas
  }
}
