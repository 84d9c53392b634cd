import { describe, expect, it } from 'vitest'
import {
  banReverseUrl,
  banSearchUrl,
  communeAt,
  GeocoderFormatError,
  parseBanAnswer,
  territoryCentre,
} from '../../src/core/geocoding/ban'
import type { Sector } from '../../src/shared/routing'

/** A `/search/` answer as the documentation shows it (GeoCodeJSON), two features. */
const searchAnswer = {
  type: 'FeatureCollection',
  version: 'draft',
  features: [
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [6.17632, 48.68922] },
      properties: {
        label: '8 Rue de la République 54000 Nancy',
        score: 0.71,
        housenumber: '8',
        id: '54395_7270_00008',
        name: '8 Rue de la République',
        postcode: '54000',
        citycode: '54395',
        x: 933000.1,
        y: 6846000.2,
        city: 'Nancy',
        context: '54, Meurthe-et-Moselle, Grand Est',
        type: 'housenumber',
        importance: 0.6,
        street: 'Rue de la République',
      },
    },
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [6.17183, 48.65891] },
      properties: {
        label: '8 Rue de la République 54500 Vandœuvre-lès-Nancy',
        score: 0.93,
        citycode: '54547',
        city: 'Vandœuvre-lès-Nancy',
        type: 'housenumber',
      },
    },
  ],
  attribution: 'BAN',
  licence: 'ETALAB-2.0',
  query: '8 rue de la republique',
  limit: 5,
}

describe('reading a BAN answer', () => {
  it('gives each address with its label, score, INSEE code, commune and point, best score first', () => {
    const found = parseBanAnswer(searchAnswer)
    expect(found.map((c) => c.label)).toEqual([
      '8 Rue de la République 54500 Vandœuvre-lès-Nancy',
      '8 Rue de la République 54000 Nancy',
    ])
    expect(found[1]).toEqual({
      label: '8 Rue de la République 54000 Nancy',
      score: 0.71,
      citycode: '54395',
      city: 'Nancy',
      location: { lon: 6.17632, lat: 48.68922 },
    })
  })

  it('an empty collection is no address, not an error', () => {
    expect(parseBanAnswer({ ...searchAnswer, features: [] })).toEqual([])
  })

  it.each([
    ['not a collection', { features: [] }],
    ['an HTML error page', '<html>502</html>'],
    [
      'a feature without geometry',
      { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { label: 'x' } }] },
    ],
    [
      'a point outside WGS84',
      {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [933000, 6846000] },
            properties: { label: 'x', score: 1 },
          },
        ],
      },
    ],
    [
      'a score above 1',
      {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [6.1, 48.6] },
            properties: { label: 'x', score: 7 },
          },
        ],
      },
    ],
  ])('refuses %s', (_what, body) => {
    expect(() => parseBanAnswer(body)).toThrow(GeocoderFormatError)
  })

  it('builds the documented URLs, under a base with or without a path of its own', () => {
    const search = new URL(
      banSearchUrl('https://geo.ville.fr/addok/', '8 rue de la République', 8, { lat: 48.6921, lon: 6.1844 }),
    )
    expect(search.pathname).toBe('/addok/search/')
    expect(Object.fromEntries(search.searchParams)).toEqual({
      q: '8 rue de la République',
      limit: '8',
      lat: '48.69210',
      lon: '6.18440',
    })
    const reverse = new URL(
      banReverseUrl('https://api-adresse.data.gouv.fr', { lat: 48.69141, lon: 6.18235 }),
    )
    expect(reverse.pathname).toBe('/reverse/')
    expect(Object.fromEntries(reverse.searchParams)).toEqual({ lon: '6.182350', lat: '48.691410' })
  })
})

const square = (id: string, communeCode: string | null, lon: number, lat: number): Sector => ({
  id,
  name: id,
  communeCode,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + 0.1, lat],
        [lon + 0.1, lat + 0.1],
        [lon, lat + 0.1],
        [lon, lat],
      ],
    ],
  },
})

describe('the territory, for bias and offline places', () => {
  const communes = [square('Nancy', '54395', 6.1, 48.6), square('Malzéville', '54339', 6.2, 48.7)]
  const district = square('Secteur Nord', null, 5.0, 47.0)

  it('centres searches on the communes, not on districts drawn elsewhere', () => {
    const centre = territoryCentre([...communes, district])!
    expect(centre.lon).toBeCloseTo(6.2)
    expect(centre.lat).toBeCloseTo(48.7)
    expect(territoryCentre([])).toBeNull()
  })

  it('finds the commune of a point, and none outside the territory', () => {
    expect(communeAt({ lon: 6.25, lat: 48.75 }, [district, ...communes])?.communeCode).toBe('54339')
    expect(communeAt({ lon: 2.35, lat: 48.85 }, communes)).toBeNull()
  })
})
