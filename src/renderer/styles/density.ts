/**
 * The display density (« Affichage : confortable / compact »): a setting of each agent on
 * this workstation, like the language. It only switches CSS variables (base.css): compact
 * tightens lines and controls, and keeps every text at 13 px or more.
 */
export const DENSITIES = ['comfortable', 'compact'] as const
export type Density = (typeof DENSITIES)[number]

/** Per agent: two agents sharing a workstation each keep their own. */
const keyOf = (login: string) => `grc.density.${login}`

/** The agent's own choice on this workstation, else `fallback` (the configuration's `ui.density`). */
export function storedDensity(login: string, fallback: Density = 'comfortable'): Density {
  try {
    const stored = localStorage.getItem(keyOf(login))
    return stored === 'compact' || stored === 'comfortable' ? stored : fallback
  } catch {
    return fallback
  }
}

/** Show the page in `density` (the attribute base.css reads). */
export function applyDensity(density: Density): void {
  if (density === 'compact') document.documentElement.dataset.density = 'compact'
  else delete document.documentElement.dataset.density
}

/** Remember the agent's choice and show it. */
export function persistDensity(login: string, density: Density): void {
  try {
    localStorage.setItem(keyOf(login), density)
  } catch {
    // Storage disabled: the choice lasts for this window only.
  }
  applyDensity(density)
}
