/** French words of the update banner (issue 17); merged into fr.ts under `update`. */
export const updateFr = {
  ready: 'Mise à jour prête : la version {version} sera installée au redémarrage.',
  waiting:
    'Mise à jour prête : la version {version} sera installée après l’envoi de votre modification en attente. | Mise à jour prête : la version {version} sera installée après l’envoi de vos {n} modifications en attente.',
  restart: 'Redémarrer',
  restartLabel: 'Redémarrer la console pour installer la version {version}',
  restarting: 'Redémarrage…',
}
