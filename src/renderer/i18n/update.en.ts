/** English words of the update banner: the same keys as update.fr.ts. */
import type { updateFr } from './update.fr'

export const updateEn: typeof updateFr = {
  ready: 'Update ready: version {version} is installed when the console restarts.',
  waiting:
    'Update ready: version {version} is installed once your pending change is sent. | Update ready: version {version} is installed once your {n} pending changes are sent.',
  restart: 'Restart',
  restartLabel: 'Restart the console to install version {version}',
  restarting: 'Restarting…',
}
