/** Every server migration, in order. A new one is a new file `NNNN-name.ts` added here. */
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'
import initial from './0001-initial'
import sharedAuth from './0002-shared-auth'
import serverEpoch from './0003-server-epoch'
import apiAccounts from './0004-api-accounts'
import referenceAudit from './0005-reference-audit'
import refreshFamilies from './0006-refresh-families'
import privacy from './0007-privacy'
import notices from './0008-notices'
import citizenConsent from './0009-citizen-consent'
import duplicateLinks from './0010-duplicate-links'
import attachments from './0011-attachments'
import capacity from './0012-capacity'
import tags from './0013-tags'

export const SERVER_MIGRATIONS: readonly Migration<Sql>[] = [
  initial,
  sharedAuth,
  serverEpoch,
  apiAccounts,
  referenceAudit,
  refreshFamilies,
  privacy,
  notices,
  citizenConsent,
  duplicateLinks,
  attachments,
  capacity,
  tags,
]
