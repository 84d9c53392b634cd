/**
 * A group of requests on the map: a disc in the cluster colour, ringed in white, with its
 * count in bold white. Each count is drawn once, into a cell of a shared canvas the map then
 * stamps from (one `drawImage` per group instead of a circle and a text label laid out on
 * every frame). The same radius serves hit-testing, so the pointer finds a group wherever
 * it is drawn.
 */
import { CLUSTER_COLOUR } from './mapStyle'

/** The white ring around a group's disc, centred on its edge. */
export const CLUSTER_BORDER_PX = 2
/** The largest a group's disc gets, however many requests it holds. */
export const CLUSTER_MAX_RADIUS_PX = 26
const CLUSTER_FONT = '700 12px system-ui, sans-serif'

/** A group's disc grows with its count, up to a cap, in CSS pixels. */
export function clusterRadius(count: number): number {
  return Math.min(CLUSTER_MAX_RADIUS_PX, 10 + Math.log10(count) * 6)
}

/** Side of the square holding the disc and its ring, in CSS pixels, with a pixel of room for anti-aliasing. */
export function clusterIconSide(count: number): number {
  return 2 * Math.ceil(clusterRadius(count) + CLUSTER_BORDER_PX / 2 + 1)
}

/** The part of a 2D canvas context the drawing uses (a canvas, or a recording stand-in in tests). */
export type ClusterIconContext = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'beginPath'
  | 'arc'
  | 'fill'
  | 'stroke'
  | 'fillText'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'font'
  | 'textAlign'
  | 'textBaseline'
>

export interface ClusterIconCanvas {
  width: number
  height: number
  getContext(kind: '2d'): ClusterIconContext | null
}

/** Where a count's icon lies in its canvas, in device pixels: what `ol/style/Icon` takes as `img`, `offset`, `size`. */
export interface ClusterIcon<C> {
  img: C
  offset: [number, number]
  size: [number, number]
}

/** Icons per row and per column of one canvas. */
const CELLS_PER_SIDE = 16

/**
 * The icons of the counts met so far, drawn at `pixelRatio` device pixels per CSS pixel
 * (the map shows them at scale 1 / pixelRatio, sharp on high-density screens). They share
 * a few canvases rather than one each: OpenLayers reads a pixel back from every new image
 * it is given (may it serve hit detection?), a round trip to the GPU that costs more than
 * the drawing.
 */
export class ClusterIconAtlas<C extends ClusterIconCanvas> {
  private readonly icons = new Map<number, ClusterIcon<C>>()
  private readonly cellPx: number
  private canvas: C | null = null
  private context: ClusterIconContext | null = null
  private cellsUsed = 0

  constructor(
    private readonly createCanvas: () => C,
    readonly pixelRatio: number,
  ) {
    this.cellPx = Math.ceil(clusterIconSide(Number.MAX_SAFE_INTEGER) * pixelRatio)
  }

  iconOf(count: number): ClusterIcon<C> {
    let icon = this.icons.get(count)
    if (!icon) {
      icon = this.draw(count)
      this.icons.set(count, icon)
    }
    return icon
  }

  private draw(count: number): ClusterIcon<C> {
    if (!this.canvas || this.cellsUsed === CELLS_PER_SIDE * CELLS_PER_SIDE) {
      this.canvas = this.createCanvas()
      this.canvas.width = this.canvas.height = this.cellPx * CELLS_PER_SIDE
      this.context = this.canvas.getContext('2d')
      this.cellsUsed = 0
    }
    const x = (this.cellsUsed % CELLS_PER_SIDE) * this.cellPx
    const y = Math.floor(this.cellsUsed / CELLS_PER_SIDE) * this.cellPx
    this.cellsUsed++
    const side = clusterIconSide(count)
    const ctx = this.context
    if (ctx) {
      const centre = side / 2
      ctx.setTransform(this.pixelRatio, 0, 0, this.pixelRatio, x, y)
      ctx.beginPath()
      ctx.arc(centre, centre, clusterRadius(count), 0, 2 * Math.PI)
      ctx.fillStyle = CLUSTER_COLOUR
      ctx.fill()
      ctx.lineWidth = CLUSTER_BORDER_PX
      ctx.strokeStyle = '#ffffff'
      ctx.stroke()
      ctx.font = CLUSTER_FONT
      ctx.textAlign = 'center'
      ctx.textBaseline = 'middle'
      ctx.fillStyle = '#ffffff'
      ctx.fillText(String(count), centre, centre)
    }
    const px = Math.round(side * this.pixelRatio)
    return { img: this.canvas, offset: [x, y], size: [px, px] }
  }
}
