/**
 * The handler of `map.duplicateLinks` (src/shared/channels/mapDuplicates.ts): the duplicate
 * groups of the map's box, within the session's scope, the same scope the map's points
 * are read with (scopeFor), so a line never leads to a request the agent cannot open.
 */
import type { Handlers } from '../dispatch'
import type { mapDuplicateChannels } from '../../shared/channels/mapDuplicates'
import { scopeFor } from '../../core/authz/permissions'
import { duplicateLinksInBox } from '../cache/queries/mapDuplicates'
import type { CoreDeps } from './deps'

export type MapDuplicateHandlers = Pick<Handlers, keyof typeof mapDuplicateChannels>

export function createMapDuplicateHandlers(deps: Pick<CoreDeps, 'db'>): MapDuplicateHandlers {
  return {
    'map.duplicateLinks': ({ bbox, limit }, { session }) =>
      duplicateLinksInBox(deps.db, { scope: scopeFor(session), bbox, limit }),
  }
}
