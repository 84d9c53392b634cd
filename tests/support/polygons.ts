/** Shapes the map tests select with. */

/** A concave "C" around central Nancy with a hole in its top arm (lon, lat). */
export const NANCY_C_WITH_HOLE: { type: 'Polygon'; coordinates: number[][][] } = {
  type: 'Polygon',
  coordinates: [
    [
      [6.14, 48.67],
      [6.23, 48.67],
      [6.23, 48.685],
      [6.17, 48.685],
      [6.17, 48.7],
      [6.23, 48.7],
      [6.23, 48.72],
      [6.14, 48.72],
      [6.14, 48.67],
    ],
    [
      [6.15, 48.705],
      [6.19, 48.705],
      [6.19, 48.715],
      [6.15, 48.715],
      [6.15, 48.705],
    ],
  ],
}
