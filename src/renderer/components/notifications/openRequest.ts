/**
 * Open a notification's request in the detail pane, as a click on its row does: from a
 * screen without the pane (dashboard, settings), the queue is shown first through its nav
 * link, the shell's own way of switching screens.
 */
import { nextTick } from 'vue'
import { useDetailStore } from '../../stores/detail'
import { DETAIL_SCREENS } from '../shellScreens'

export async function openRequestFromNotification(requestId: string): Promise<void> {
  const onDetailScreen = DETAIL_SCREENS.some((screen) => document.querySelector(`main#${screen}`))
  if (!onDetailScreen) {
    document.querySelector<HTMLAnchorElement>('nav a[href="#queue"]')?.click()
    await nextTick()
  }
  await useDetailStore().open(requestId)
  await nextTick()
  document.querySelector<HTMLElement>('#detail-title')?.focus()
}
