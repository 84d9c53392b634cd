/**
 * The demo's people: one account per role (password `demo`, see resources/demo/accounts.json)
 * and a few more team members so requests have plausible assignees.
 */
import type { AgentSummary } from '../../shared/domain'

const agent = (
  login: string,
  displayName: string,
  roles: AgentSummary['roles'],
  teamIds: string[],
): AgentSummary => ({
  id: `agent-${login}`,
  login,
  displayName,
  roles,
  teamIds,
})

/** The accounts people log in with; ids are stable. */
export const DEMO_AGENTS: readonly AgentSummary[] = [
  agent('zoe.agent', 'Zoé Marchal', ['agent'], ['voirie', 'voirie-nord']),
  agent('luc.lead', 'Luc Henrion', ['lead'], ['voirie', 'voirie-nord']),
  agent('tom.tech', 'Tom Lallemand', ['technician'], ['voirie']),
  agent('nora.agent', 'Nora Benali', ['agent'], ['eclairage']),
  agent('sara.sup', 'Sara Lefèvre', ['supervisor'], []),
  agent('dina.dpo', 'Dina Colin', ['dpo'], []),
  agent('alex.admin', 'Alex Mathieu', ['admin'], []),
]

/** Other members of each team: assignees and authors of the demo's history. */
export const DEMO_STAFF: readonly AgentSummary[] = [
  agent('claire.thiriet', 'Claire Thiriet', ['agent'], ['accueil']),
  agent('hugo.pierson', 'Hugo Pierson', ['agent'], ['accueil']),
  agent('marc.vautrin', 'Marc Vautrin', ['technician'], ['voirie', 'voirie-nord']),
  agent('ines.haddad', 'Inès Haddad', ['agent'], ['voirie-sud']),
  agent('paul.mangin', 'Paul Mangin', ['technician'], ['voirie-sud']),
  agent('remi.gerardin', 'Rémi Gérardin', ['lead'], ['eclairage']),
  agent('yann.klein', 'Yann Klein', ['technician'], ['eclairage']),
  agent('lea.humbert', 'Léa Humbert', ['agent'], ['proprete']),
  agent('karim.diallo', 'Karim Diallo', ['technician'], ['proprete']),
  agent('julie.poirson', 'Julie Poirson', ['agent'], ['espaces-verts']),
  agent('bruno.weber', 'Bruno Weber', ['technician'], ['espaces-verts']),
  agent('sophie.claudel', 'Sophie Claudel', ['agent'], ['collecte-dechets']),
  agent('eric.schmitt', 'Éric Schmitt', ['technician'], ['collecte-dechets']),
  agent('nadia.morel', 'Nadia Morel', ['agent'], ['police-municipale']),
  agent('victor.jacquot', 'Victor Jacquot', ['agent'], ['police-municipale']),
  agent('anne.masson', 'Anne Masson', ['agent'], ['etat-civil']),
  agent('pierre.didier', 'Pierre Didier', ['agent'], ['etat-civil']),
  agent('elise.muller', 'Élise Muller', ['agent'], ['petite-enfance']),
  agent('chloe.perrin', 'Chloé Perrin', ['agent'], ['petite-enfance']),
  agent('theo.lambert', 'Théo Lambert', ['agent'], ['sports']),
  agent('marie.georges', 'Marie Georges', ['agent'], ['sports']),
]
