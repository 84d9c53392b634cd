/** Every migration, in order. A new one is a new file `NNNN-name.ts` added here. */
import type { Migration } from '../migrate'
import initial from './0001-initial'
import sync from './0002-sync'
import offlineLogin from './0003-offline-login'
import tours from './0004-tours'
import sentMutations from './0005-sent-mutations'
import privacy from './0006-privacy'
import sealedOfflineLogin from './0007-sealed-offline-login'
import ftsFold from './0008-fts-fold'
import duplicates from './0009-duplicates'
import citizenConsent from './0010-citizen-consent'
import dashboard from './0011-dashboard'
import attachments from './0012-attachments'
import mapPointsIndex from './0013-map-points-index'
import capacity from './0014-capacity'
import duplicateLinks from './0015-duplicate-links'
import notifications from './0016-notifications'
import openCardsIndex from './0017-open-cards-index'
import tags from './0018-tags'
import dueCounts from './0019-due-counts'
import dueCountsByAssignee from './0020-due-counts-by-assignee'
import teamChanges from './0021-team-changes'
import teamSearch from './0022-team-search'

export const MIGRATIONS: readonly Migration[] = [
  initial,
  sync,
  offlineLogin,
  tours,
  sentMutations,
  privacy,
  sealedOfflineLogin,
  ftsFold,
  duplicates,
  citizenConsent,
  dashboard,
  attachments,
  mapPointsIndex,
  capacity,
  duplicateLinks,
  notifications,
  openCardsIndex,
  tags,
  dueCounts,
  dueCountsByAssignee,
  teamChanges,
  teamSearch,
]
