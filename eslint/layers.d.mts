// Types for eslint/layers.mjs, so TypeScript tests can import the plugin.
import type { ESLint } from 'eslint'

export type LayerName = 'shared' | 'core' | 'main' | 'server' | 'renderer' | 'preload'

export interface LayerPolicy {
  /** The layers this layer may import, itself included. */
  may: LayerName[]
  /** Package groups it may not import: 'electron' (and electron/*), 'node built-ins'. */
  forbid?: string[]
  /** Within the layer, the only places that may import electron (a folder ends with '/'). */
  electronOnlyIn?: string[]
  /** Where the code should go instead: the end of every message about this layer. */
  where: string
}

export declare const LAYERS: Record<LayerName, LayerPolicy>

/** Options of `layers/imports`: edges allowed for now, on top of the layering. */
export interface LayersImportsOptions {
  allow?: { from: LayerName; to: LayerName; reason?: string }[]
}

declare const plugin: ESLint.Plugin
export default plugin
