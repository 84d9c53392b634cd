/**
 * A group of requests on the map: a disc in the cluster colour, ringed in white, with its
 * count in bold white. Drawn once per count into an image the map then stamps (one
 * `drawImage` per group instead of a circle and a text label laid out on every frame).
 * The same radius serves hit-testing, so the pointer finds a group wherever it is drawn.
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
  | 'scale'
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

/**
 * Draws a group of `count` into `canvas`, sized for `pixelRatio` device pixels per CSS pixel
 * (the map shows it at scale 1 / pixelRatio, sharp on high-density screens).
 */
export function drawClusterIcon<C extends ClusterIconCanvas>(
  canvas: C,
  count: number,
  pixelRatio: number,
): C {
  const side = clusterIconSide(count)
  canvas.width = Math.ceil(side * pixelRatio)
  canvas.height = Math.ceil(side * pixelRatio)
  const ctx = canvas.getContext('2d')
  if (!ctx) return canvas
  ctx.scale(pixelRatio, pixelRatio)
  const centre = side / 2
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
  return canvas
}
