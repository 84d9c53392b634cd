/**
 * Every command of the palette, declared here and nowhere else: its id, its words (in the
 * agent's language), its shortcut when it has one, when it is offered, and what it runs.
 *
 * The screen follows the core: a request's actions are those the detail store holds from the
 * core (`actions`, allowed transitions), a selection's status changes those the core says
 * every picked request allows. Running a command goes through the same code path as its
 * button: the same store action, or the same form for the bulk actions.
 */
import { computed, nextTick, shallowRef, type ComputedRef } from 'vue'
import type { SavedView } from '../../../shared/contract'
import type { AgentSummary, RequestSummary, TransitionOption } from '../../../shared/domain'
import { invoke } from '../../api'
import { shown } from '../../composables/shownText'
import { focusShortcutTarget } from '../../composables/useShortcuts'
import { useWords } from '../../composables/useWords'
import { useDetailStore } from '../../stores/detail'
import { useQueueStore } from '../../stores/queue'
import { useReferenceStore } from '../../stores/reference'
import { noteApiError, useSessionStore } from '../../stores/session'
import { useViewsStore } from '../../stores/views'
import type { Screen } from '../shellScreens'
import { DETAIL_SCREENS, SHELL_SCREENS } from '../shellScreens'

/** The palette's groups, in the order it lists them. */
export const PALETTE_GROUPS = ['requests', 'actions', 'screens', 'assign'] as const
export type PaletteGroup = (typeof PALETTE_GROUPS)[number]

export interface PaletteCommand {
  /** Unique among the commands on offer (`transition:start`, `screen:map`…). */
  id: string
  group: PaletteGroup
  /** What the agent reads and types to find it. */
  label: string
  /** The key that does the same outside the palette, as the shortcut overlay writes it. */
  shortcut?: string
  run: () => unknown
}

/** What the shell tells the palette: where the agent is, and how to go elsewhere. */
export interface PaletteContext {
  screen: () => Screen
  navigate: (screen: Screen) => void
}

/** Focus `selector` once the screen has followed what a command changed. */
const focusSoon = (selector: string) =>
  void nextTick(() => document.querySelector<HTMLElement>(selector)?.focus())

/**
 * The bulk actions keep their choice to themselves (src/renderer/components/map/BulkActions.vue):
 * the palette makes it in their form as the agent would, then submits it, so the confirmation,
 * the run and its outcome are theirs. A choice that needs more (a transition's fields) stops
 * at the form, on its first field (`focusAfter`).
 */
function chooseInBulkForm(selectId: string, value: string, focusAfter?: string) {
  const select = document.getElementById(selectId)
  if (!(select instanceof HTMLSelectElement)) return
  select.value = value
  select.dispatchEvent(new Event('change'))
  if (focusAfter) focusSoon(focusAfter)
  else select.form?.requestSubmit()
}

/** The palette's commands for this session, screen and open request, kept up to date. */
export function usePaletteCommands(context: PaletteContext) {
  const words = useWords()
  const { t } = words
  const session = useSessionStore()
  const detail = useDetailStore()
  const queue = useQueueStore()
  const reference = useReferenceStore()
  const views = useViewsStore()

  /** The status changes every picked request allows, asked of the core when the palette opens. */
  const selectionTransitions = shallowRef<TransitionOption[]>([])
  const picked = () => (context.screen() === 'queue' ? [...queue.selected] : [])

  async function loadSelectionTransitions() {
    selectionTransitions.value = []
    const ids = picked()
    if (ids.length === 0) return
    try {
      selectionTransitions.value = await invoke('requests.commonTransitions', { ids })
    } catch (e) {
      noteApiError(e)
    }
  }

  /** The open request, when its detail pane is on screen (not behind a selection). */
  const shownRequest = () =>
    DETAIL_SCREENS.includes(context.screen()) && picked().length === 0 ? detail.detail : null

  const optionLabel = (option: TransitionOption) => words.localized(option.label, option.id)

  /** Open a request in the detail pane, as a click on its row does. */
  async function openRequest(row: RequestSummary) {
    if (!DETAIL_SCREENS.includes(context.screen())) context.navigate('queue')
    const index = queue.rows.findIndex((r) => r.id === row.id)
    if (index >= 0) queue.activeIndex = queue.anchorIndex = index
    await detail.open(row.id)
    focusSoon('#detail-title')
  }

  /** As the transitions panel's button: fired at once, or its inline form opened. */
  async function transition(option: TransitionOption) {
    if (await detail.chooseTransition(option)) focusSoon('#detail-title')
  }

  function screens(): PaletteCommand[] {
    const commands = SHELL_SCREENS.filter((s) => s.offered(session) && s.id !== context.screen()).map(
      (s): PaletteCommand => ({
        id: `screen:${s.id}`,
        group: 'screens',
        label: t('palette.screen', { name: t(s.words) }),
        // « n » records a request from the queue only.
        ...(s.id === 'intake' && context.screen() === 'queue' ? { shortcut: 'n' } : {}),
        run: () => context.navigate(s.id),
      }),
    )
    const saved = views.views.map((view: SavedView): PaletteCommand => ({
      id: `view:${view.id}`,
      group: 'screens',
      label: t('palette.view', { name: view.name }),
      run: () => {
        context.navigate('queue')
        views.apply(view)
      },
    }))
    return [...commands, ...saved]
  }

  function requestActions(): PaletteCommand[] {
    const request = shownRequest()
    if (!request) return []
    const commands: PaletteCommand[] = []
    // As the transitions panel: the allowed steps, none for a role that never moves requests.
    const allowed =
      detail.action('changeStatus').refusal === 'role' ? [] : (detail.transitions?.allowed ?? [])
    for (const option of allowed)
      commands.push({
        id: `transition:${option.id}`,
        group: 'actions',
        label: t('palette.transition', { label: optionLabel(option) }),
        run: () => transition(option),
      })
    if (allowed.length > 0)
      commands.push({
        id: 'go:transition',
        group: 'actions',
        label: t('palette.goTransition'),
        shortcut: 't',
        run: () => focusShortcutTarget('transition'),
      })
    if (detail.action('assign').allowed)
      commands.push({
        id: 'go:assign',
        group: 'actions',
        label: t('palette.goAssign'),
        shortcut: 'a',
        run: () => focusShortcutTarget('assign'),
      })
    if (detail.action('commentInternal').allowed || detail.action('commentPublic').allowed)
      commands.push({
        id: 'go:comment',
        group: 'actions',
        label: t('palette.goComment'),
        shortcut: 'c',
        run: () => focusShortcutTarget('comment'),
      })
    return commands
  }

  /** As the assignment panel: the agents of the request's team, but the one it already has. */
  function assignments(): PaletteCommand[] {
    const request = shownRequest()
    if (!request || !detail.action('assign').allowed) return []
    const commands = reference
      .agentsOfTeam(request.teamId)
      .filter((agent) => agent.id !== request.assigneeId)
      .map((agent): PaletteCommand => ({
        id: `assign:${agent.id}`,
        group: 'assign',
        label: t('palette.assignTo', { name: agent.displayName }),
        run: () => detail.assign(agent.id),
      }))
    if (request.assigneeId)
      commands.push({
        id: 'assign:nobody',
        group: 'assign',
        label: t('palette.unassign'),
        run: () => detail.assign(null),
      })
    return commands
  }

  function selectionActions(): PaletteCommand[] {
    const ids = picked()
    if (ids.length === 0) return []
    const commands: PaletteCommand[] = [
      {
        id: 'selection:all',
        group: 'actions',
        label: t('selection.selectAll'),
        shortcut: t('shortcuts.keyShiftX'),
        run: () => queue.selectAll(),
      },
      {
        id: 'selection:clear',
        group: 'actions',
        label: t('selection.clear'),
        shortcut: t('shortcuts.keyEscape'),
        run: () => queue.clearSelection(),
      },
    ]
    for (const option of selectionTransitions.value)
      commands.push({
        id: `selection:transition:${option.id}`,
        group: 'actions',
        label: t('palette.selectionTransition', { label: optionLabel(option) }),
        run: () =>
          chooseInBulkForm(
            'bulk-transition',
            option.id,
            option.requires[0] ? `#bulk-field-${option.requires[0]}` : undefined,
          ),
      })
    if (session.session?.changesRequests)
      commands.push({
        id: 'selection:priority',
        group: 'actions',
        label: t('palette.selectionPriority'),
        run: () => focusSoon('#bulk-priority'),
      })
    // As the bulk actions: leads of the picked requests' teams, supervisors and admins.
    const teams = [...new Set(queue.rows.filter((r) => queue.selected.has(r.id)).map((r) => r.teamId))]
    if (!session.hasRole('supervisor', 'admin') && !teams.some((team) => session.canAssign(team)))
      return commands
    const assignees = new Map<string, AgentSummary>()
    for (const team of teams) for (const agent of reference.agentsOfTeam(team)) assignees.set(agent.id, agent)
    for (const agent of assignees.values())
      commands.push({
        id: `selection:assign:${agent.id}`,
        group: 'assign',
        label: t('palette.selectionAssignTo', { name: agent.displayName }),
        run: () => chooseInBulkForm('bulk-assignee', agent.id),
      })
    return commands
  }

  const always = (): PaletteCommand[] => [
    {
      id: 'go:search',
      group: 'actions',
      label: t('palette.goSearch'),
      shortcut: '/',
      run: () => focusShortcutTarget('search'),
    },
  ]

  const commands: ComputedRef<PaletteCommand[]> = computed(() => [
    ...requestActions(),
    ...selectionActions(),
    ...always(),
    ...screens(),
    ...assignments(),
  ])

  /** A request the queue's search found, as a command that opens it. */
  const requestCommand = (row: RequestSummary): PaletteCommand => ({
    id: `request:${row.id}`,
    group: 'requests',
    // The title is the citizen's text: shown as the list shows it (no hidden reordering).
    label: t('palette.request', { reference: row.reference, title: shown(row.title) }),
    run: () => openRequest(row),
  })

  return { commands, requestCommand, loadSelectionTransitions }
}
