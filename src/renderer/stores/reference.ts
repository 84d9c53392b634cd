/** Reference data (categories, teams, agents, statuses), loaded once per session. */
import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { OutputOf } from '../../shared/contract'
import type { AgentSummary, Category, StatusInfo, Team } from '../../shared/domain'
import { invoke } from '../api'
import { noteApiError } from './session'

type Reference = OutputOf<'reference.get'>
const EMPTY: Reference = { categories: [], teams: [], agents: [], statuses: [] }

const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((i) => [i.id, i]))

export const useReferenceStore = defineStore('reference', () => {
  const data = shallowRef<Reference>(EMPTY)
  const categories = computed(() => byId(data.value.categories))
  const teams = computed(() => byId(data.value.teams))
  const agents = computed(() => byId(data.value.agents))
  const statuses = computed(() => byId(data.value.statuses))

  async function load() {
    try {
      data.value = await invoke('reference.get', {})
    } catch (e) {
      noteApiError(e)
    }
  }

  const category = (id: string): Category | undefined => categories.value.get(id)
  const team = (id: string): Team | undefined => teams.value.get(id)
  const agent = (id: string): AgentSummary | undefined => agents.value.get(id)
  const status = (id: string): StatusInfo | undefined => statuses.value.get(id)
  /** Agents a request of this team can be assigned to. */
  const agentsOfTeam = (teamId: string) => data.value.agents.filter((a) => a.teamIds.includes(teamId))

  function reset() {
    data.value = EMPTY
  }

  return { data, load, category, team, agent, status, agentsOfTeam, reset }
})
