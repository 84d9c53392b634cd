/**
 * The shell's screens, in the nav bar's order, with the words naming each and who may open
 * it. The nav bar and the command palette both read this list, so a screen is offered to the
 * same roles everywhere (and the core refuses the others anyway).
 */
import type { useSessionStore } from '../stores/session'

/** The screens of the shell. */
export type Screen =
  'day' | 'queue' | 'intake' | 'map' | 'tours' | 'dashboard' | 'dispatch' | 'admin' | 'privacy' | 'settings'

type Session = ReturnType<typeof useSessionStore>

export interface ShellScreen {
  id: Screen
  /** The i18n key of its name. */
  words: string
  offered: (session: Session) => boolean
  /** Listed in the nav bar (« Nouvelle demande » is a button of the queue instead). */
  inNav: boolean
}

export const SHELL_SCREENS: readonly ShellScreen[] = [
  // The technician's home: today's tour.
  { id: 'day', words: 'day.nav', offered: (s) => s.hasRole('technician'), inNav: true },
  { id: 'queue', words: 'shell.navQueue', offered: () => true, inNav: true },
  // Recording a request is a change: the roles the core lets change requests.
  {
    id: 'intake',
    words: 'intake.open',
    offered: (s) => s.session?.changesRequests === true,
    inNav: false,
  },
  { id: 'map', words: 'shell.navMap', offered: () => true, inNav: true },
  { id: 'tours', words: 'shell.navTours', offered: () => true, inNav: true },
  // The teams' figures, and who has what (assigned by dragging): leads and supervisors.
  { id: 'dashboard', words: 'dashboard.nav', offered: (s) => s.hasRole('lead', 'supervisor'), inNav: true },
  { id: 'dispatch', words: 'dispatch.nav', offered: (s) => s.hasRole('lead', 'supervisor'), inNav: true },
  // Reference administration: only administrators.
  { id: 'admin', words: 'admin.nav', offered: (s) => s.hasRole('admin'), inNav: true },
  // The citizens' rights (RGPD): only the data protection officer.
  { id: 'privacy', words: 'privacy.nav', offered: (s) => s.hasRole('dpo'), inNav: true },
  // The configuration in force and the diagnostic export: every role.
  { id: 'settings', words: 'settings.nav', offered: () => true, inNav: true },
]

/** The screens that show the open request's detail pane. */
export const DETAIL_SCREENS: readonly Screen[] = ['queue', 'map', 'tours']
