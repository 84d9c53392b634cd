/**
 * Thumbnails of the attachments on screen: asked of the core (`attachments.thumbnail`) only
 * for the tiles that became visible, shown through blob URLs (the CSP lets `blob:` images
 * in), and every URL revoked when its item leaves the list or the panel goes away.
 */
import { onBeforeUnmount, shallowReactive } from 'vue'
import type { AttachmentItem } from '../../../shared/channels/attachments'
import { invoke } from '../../api'
import { noteApiError } from '../../stores/session'

/** One tile's picture: being read, shown, none to show, or waiting for the connection. */
export type Thumbnail =
  | { state: 'loading' }
  | { state: 'shown'; url: string }
  | { state: 'none' }
  | { state: 'offline' }
  | { state: 'failed' }

/** A blob URL over bytes the core handed over (thumbnails are always JPEG). */
export const blobUrl = (bytes: Uint8Array, type: string) =>
  URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }))

export function useThumbnails() {
  const thumbnails = shallowReactive(new Map<string, Thumbnail>())

  function drop(id: string) {
    const thumb = thumbnails.get(id)
    if (thumb?.state === 'shown') URL.revokeObjectURL(thumb.url)
    thumbnails.delete(id)
  }

  /** Read the thumbnail of an item now on screen, once (until `keepOnly` forgets it). */
  async function want(item: AttachmentItem) {
    if (!item.thumbnail || thumbnails.has(item.id)) return
    thumbnails.set(item.id, { state: 'loading' })
    let next: Thumbnail
    try {
      const answer = await invoke('attachments.thumbnail', { id: item.id })
      next = answer.bytes
        ? { state: 'shown', url: blobUrl(answer.bytes, 'image/jpeg') }
        : { state: answer.reason === 'offline' ? 'offline' : 'none' }
    } catch (e) {
      noteApiError(e)
      next = { state: 'failed' }
    }
    // The item left the list (or the panel closed) while its thumbnail was read.
    if (thumbnails.get(item.id)?.state !== 'loading') {
      if (next.state === 'shown') URL.revokeObjectURL(next.url)
      return
    }
    thumbnails.set(item.id, next)
  }

  /**
   * After the list was read again: forget the thumbnails of items gone, and those that could
   * not be read (offline, failed), so a visible tile asks again now that things changed.
   */
  function keepOnly(ids: readonly string[]) {
    const kept = new Set(ids)
    for (const [id, thumb] of [...thumbnails])
      if (!kept.has(id) || thumb.state === 'offline' || thumb.state === 'failed') drop(id)
  }

  function clear() {
    for (const id of [...thumbnails.keys()]) drop(id)
  }

  onBeforeUnmount(clear)

  return { thumbnails, want, keepOnly, clear }
}
