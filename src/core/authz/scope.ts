/**
 * Which requests a session may see: every team (supervisors, DPO, admins) or a list of
 * teams. Every request query takes one and never returns a row outside it.
 */
export type Scope = { kind: 'all' } | { kind: 'teams'; teamIds: string[] }

export const ALL_TEAMS: Scope = { kind: 'all' }

/** The teams a query must read: the scope's teams narrowed by an optional team filter; null = every team. */
export function effectiveTeams(scope: Scope, filterTeamIds?: readonly string[]): string[] | null {
  const filter = filterTeamIds && filterTeamIds.length > 0 ? [...new Set(filterTeamIds)] : null
  if (scope.kind === 'all') return filter
  const allowed = new Set(scope.teamIds)
  return filter ? filter.filter((t) => allowed.has(t)) : [...allowed]
}
