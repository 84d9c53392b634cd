/** French words of the duplicate links on the map (issue 14); merged into fr.ts under `mapDuplicates`. */
export const mapDuplicatesFr = {
  toggle: 'Doublons liés',
  ring: 'Aucun doublon | {n} doublon | {n} doublons',
  legendLink: 'Trait : doublon lié à sa demande principale',
  legendRing: 'Cercle : demande principale, avec son nombre de doublons',
  inView:
    'Aucun groupe de doublons dans cette vue | {n} groupe de doublons dans cette vue | {n} groupes de doublons dans cette vue',
  tooFarOut: 'Zoomez pour voir les doublons liés.',
  capped: 'Seuls les {n} groupes de doublons les plus récents sont tracés : zoomez pour les voir tous.',
}
