/** English words of the notices sent to citizens (issue 14): the same keys as notices.fr.ts. */
import type { noticeHistoryKindsFr, noticesFr } from './notices.fr'

export const noticesEn: typeof noticesFr = {
  channel: {
    email: 'by e-mail',
    sms: 'by SMS',
  },
  event: {
    master_resolved: 'master request resolved',
    public_reply: 'public reply',
    transition: 'status change',
  },
  sent: 'Notice sent to the citizen {channel} ({event})',
  retrying:
    'Sending the notice {channel} ({event}) failed, attempt {attempt}: {reason}. Next attempt on {retryAt}',
  failed: 'Notice not sent to the citizen ({event}): {reason}',
  bounced: 'Notice refused {channel} ({event}): {reason}',
  unreached: 'The latest notice did not reach the citizen: tell them another way.',
  problem: 'Notice not delivered',
}

export const noticeHistoryKindsEn: typeof noticeHistoryKindsFr = {
  notice_sent: 'Notice sent to the citizen',
  notice_failed: 'Sending a notice to the citizen failed',
  notice_bounced: 'Notice refused: invalid address or number',
}
