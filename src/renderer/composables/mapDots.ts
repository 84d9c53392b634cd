/**
 * A WebGL layer of coloured dots drawn straight from typed arrays: the lone requests of the map.
 * OpenLayers' `WebGLPointsLayer` wants a Feature per dot in a VectorSource (an R-tree entry,
 * two listeners, an event each) and rebuilds its buffers from all of them at every move;
 * at street level that is tens of thousands of objects made and dropped per pan. Here a new
 * set of dots is one array written and uploaded once, and a move only changes the matrix the
 * shader applies. The dots look the same: the shaders come from OpenLayers' own flat-style
 * compiler, from the same style.
 */
import Layer from 'ol/layer/Layer'
import type { FrameState } from 'ol/Map'
import { parseLiteralStyle } from 'ol/render/webgl/style'
import WebGLLayerRenderer from 'ol/renderer/webgl/Layer'
import { getWorldParameters } from 'ol/renderer/webgl/worldUtil'
import Source from 'ol/source/Source'
import type { FlatStyle } from 'ol/style/flat'
import { create as createTransform, translate as translateTransform, type Transform } from 'ol/transform'
import { ARRAY_BUFFER, DYNAMIC_DRAW, ELEMENT_ARRAY_BUFFER, STATIC_DRAW } from 'ol/webgl'
import WebGLArrayBuffer from 'ol/webgl/Buffer'
import { AttributeType, DefaultUniform, type AttributeDescription } from 'ol/webgl/Helper'

/** The one property a dot carries to its style, read as `['get', 'slot']`. */
const SLOT = 'slot'

/** Each dot is a quad (two triangles) around its centre, as OpenLayers' points renderer draws them. */
const QUAD_CORNERS = [-1, -1, 1, -1, 1, 1, -1, 1]
const QUAD_INDICES = [0, 1, 3, 1, 2, 3]

export interface Dots {
  /** x, y pairs in the view's projection (EPSG:3857). */
  coordinates: Float64Array
  /** One `slot` per dot. */
  slots: ArrayLike<number>
}

type StyleAttribute = { name: string; callback: (feature: { get(key: string): unknown }) => number }

/** Dots coloured by a flat style reading the `slot` property, drawn with WebGL. */
export class DotsLayer extends Layer<Source, DotsRenderer> {
  private dots: Dots = { coordinates: new Float64Array(0), slots: [] }
  private revision = 0

  constructor(
    private readonly style: FlatStyle,
    options: { zIndex?: number } = {},
  ) {
    // The WebGL renderer only draws a layer that has a source: an empty one, always ready.
    super({ ...options, source: new Source({}) })
  }

  /** Replaces the dots drawn; the next frame uploads them. */
  setDots(dots: Dots): void {
    if (dots.coordinates.length !== dots.slots.length * 2)
      throw new Error(`setDots: ${dots.coordinates.length / 2} places for ${dots.slots.length} slots`)
    this.dots = dots
    this.revision++
    this.changed()
  }

  getDots(): { dots: Dots; revision: number } {
    return { dots: this.dots, revision: this.revision }
  }

  override createRenderer(): DotsRenderer {
    return new DotsRenderer(this, this.style)
  }
}

class DotsRenderer extends WebGLLayerRenderer<DotsLayer> {
  private readonly vertexShader: string
  private readonly fragmentShader: string
  private readonly styleAttributes: StyleAttribute[]
  private readonly attributes: AttributeDescription[] = [
    { name: 'a_localPosition', size: 2, type: AttributeType.FLOAT },
  ]
  private readonly instanceAttributes: AttributeDescription[]
  private readonly vertices = new WebGLArrayBuffer(ARRAY_BUFFER, STATIC_DRAW).fromArray(QUAD_CORNERS)
  private readonly indices = new WebGLArrayBuffer(ELEMENT_ARRAY_BUFFER, STATIC_DRAW).fromArray(QUAD_INDICES)
  private readonly instances = new WebGLArrayBuffer(ARRAY_BUFFER, DYNAMIC_DRAW)
  private program: WebGLProgram | null = null
  private uploadedRevision = -1
  private instanceCount = 0
  /** The instance attributes' room, kept between uploads (a fresh large array each time wakes the garbage collector). */
  private data = new Float32Array(0)
  /**
   * The dots are stored relative to this point so 32-bit floats keep street-level precision
   * (Web Mercator metres run to millions); the matrix adds it back.
   */
  private origin: [number, number] = [0, 0]
  private readonly matrix: Transform

  constructor(layer: DotsLayer, style: FlatStyle) {
    const matrix = createTransform()
    const parsed = parseLiteralStyle(style, {})
    super(layer, { uniforms: { ...parsed.uniforms, [DefaultUniform.PROJECTION_MATRIX]: matrix } })
    this.matrix = matrix
    this.vertexShader = parsed.builder.getSymbolVertexShader() ?? ''
    this.fragmentShader = parsed.builder.getSymbolFragmentShader() ?? ''
    this.styleAttributes = Object.entries(parsed.attributes).map(([name, attribute]) => ({
      name: `a_${name}`,
      callback: attribute.callback as StyleAttribute['callback'],
    }))
    this.instanceAttributes = [
      { name: 'a_position', size: 2, type: AttributeType.FLOAT },
      ...this.styleAttributes.map(({ name }) => ({ name, size: 1, type: AttributeType.FLOAT })),
    ]
  }

  protected override afterHelperCreated(): void {
    this.program = this.helper.getProgram(this.fragmentShader, this.vertexShader)
    this.helper.flushBufferData(this.vertices)
    this.helper.flushBufferData(this.indices)
    // A new context (another map, a lost one) has none of the dots yet.
    this.uploadedRevision = -1
  }

  protected override prepareFrameInternal(frameState: FrameState): boolean {
    const { dots, revision } = this.getLayer().getDots()
    if (revision !== this.uploadedRevision) {
      this.upload(dots)
      this.uploadedRevision = revision
    }
    if (this.program) this.helper.useProgram(this.program, frameState)
    this.helper.prepareDraw(frameState)
    return true
  }

  /** Writes the dots' instance attributes: position from the origin, then the style's attributes. */
  private upload({ coordinates, slots }: Dots): void {
    const count = slots.length
    const stride = 2 + this.styleAttributes.length
    if (this.data.length < count * stride) this.data = new Float32Array(count * stride * 1.5)
    const data = this.data
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
    for (let i = 0; i < coordinates.length; i += 2) {
      const x = coordinates[i]!
      const y = coordinates[i + 1]!
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
    this.origin = count ? [(minX + maxX) / 2, (minY + maxY) / 2] : [0, 0]
    // The style's attributes depend on the slot alone, and there are few slots: computed once each.
    const valuesOf = new Map<number, number[]>()
    const attributesOf = (slot: number) => {
      let values = valuesOf.get(slot)
      if (!values) {
        const asFeature = { get: (key: string) => (key === SLOT ? slot : undefined) }
        values = this.styleAttributes.map((attribute) => attribute.callback(asFeature))
        valuesOf.set(slot, values)
      }
      return values
    }
    for (let i = 0, at = 0; i < count; i++) {
      data[at++] = coordinates[2 * i]! - this.origin[0]
      data[at++] = coordinates[2 * i + 1]! - this.origin[1]
      for (const value of attributesOf(slots[i]!)) data[at++] = value
    }
    this.instances.setArray(data.subarray(0, count * stride))
    this.helper.flushBufferData(this.instances)
    this.instanceCount = count
  }

  override renderFrame(frameState: FrameState): HTMLElement {
    const gl = this.helper.getGL()
    this.preRender(gl, frameState)
    const [startWorld = 0, endWorld = 0, worldWidth = 0] = getWorldParameters(frameState, this.getLayer())
    let world = startWorld
    do {
      if (!this.instanceCount || !this.program) break
      this.helper.bindBuffer(this.indices)
      this.helper.bindBuffer(this.vertices)
      this.helper.enableAttributes(this.attributes)
      this.helper.bindBuffer(this.instances)
      this.helper.enableAttributesInstanced(this.instanceAttributes)
      this.helper.makeProjectionTransform(frameState, this.matrix)
      translateTransform(this.matrix, world * worldWidth + this.origin[0], this.origin[1])
      this.helper.applyUniforms(frameState)
      this.helper.applyHitDetectionUniform(false)
      this.helper.drawElementsInstanced(0, QUAD_INDICES.length, this.instanceCount)
    } while (++world < endWorld)
    this.helper.finalizeDraw(frameState, this.dispatchPreComposeEvent, this.dispatchPostComposeEvent)
    this.postRender(gl, frameState)
    return this.helper.getCanvas()
  }
}
