/**
 * Clusters of requests for the low zooms, from supercluster's KD-tree built in the renderer
 * over the viewport's points (not `ol/source/Cluster`, which re-clusters every feature on
 * each frame). Higher up, every request is drawn on its own.
 */
import Supercluster from 'supercluster'
import type { MapPoint } from '../../shared/contract'
import type { Bbox } from './mapGeometry'

/** Beyond this zoom nothing is clustered: each request has its own dot. */
export const CLUSTER_MAX_ZOOM = 15
/** Supercluster counts pixels on 512-pixel tiles; OpenLayers draws 256: about 30 px on screen. */
const CLUSTER_RADIUS = 60

export type ClusterIndex = Supercluster<{ point: MapPoint }, Record<string, never>>

export interface RequestCluster {
  clusterId: number
  lon: number
  lat: number
  count: number
}

/** What to draw in a viewport: the clusters, and the requests standing alone. */
export interface ClusteredView {
  clusters: RequestCluster[]
  singles: MapPoint[]
}

export function buildClusterIndex(points: readonly MapPoint[]): ClusterIndex {
  const index: ClusterIndex = new Supercluster({ radius: CLUSTER_RADIUS, maxZoom: CLUSTER_MAX_ZOOM })
  index.load(
    points.map((point) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [point.lon, point.lat] },
      properties: { point },
    })),
  )
  return index
}

/** The clusters and lone requests of a viewport at a (fractional) map zoom. */
export function clustersIn(index: ClusterIndex, bbox: Bbox, zoom: number): ClusteredView {
  const clusters: RequestCluster[] = []
  const singles: MapPoint[] = []
  const features = index.getClusters([bbox.minLon, bbox.minLat, bbox.maxLon, bbox.maxLat], Math.floor(zoom))
  for (const feature of features) {
    const properties = feature.properties as { cluster_id?: number; point_count?: number; point?: MapPoint }
    if (properties.point) {
      singles.push(properties.point)
      continue
    }
    const [lon, lat] = feature.geometry.coordinates
    clusters.push({
      clusterId: properties.cluster_id ?? 0,
      lon: lon ?? 0,
      lat: lat ?? 0,
      count: properties.point_count ?? 0,
    })
  }
  return { clusters, singles }
}
