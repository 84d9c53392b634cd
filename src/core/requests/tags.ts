/**
 * A change to a request's tags, decided on the tags the request has when it is applied
 * (not on those the agent saw): two agents tagging the same request both keep their tags.
 */
import { CoreError } from '../../shared/result'
import { distinctTags, TAG_LIMITS, tagKey, type TagChange } from '../../shared/tags'

export interface TagOutcome {
  /** The request's tags after the change. */
  tags: string[]
  /** What the change really added and removed (a tag already there, or absent, is left out). */
  added: string[]
  removed: string[]
}

/**
 * `current` with `change.remove` taken off and `change.add` put on, compared by key: a tag
 * keeps the spelling it was first given; a tag both added and removed is added.
 * @throws CoreError invalid_input beyond TAG_LIMITS.perRequest tags.
 */
export function applyTagChange(current: readonly string[], change: TagChange): TagOutcome {
  const add = distinctTags(change.add)
  const addKeys = new Set(add.map(tagKey))
  const removeKeys = new Set(change.remove.map(tagKey).filter((k) => !addKeys.has(k)))
  const kept = distinctTags(current)
  const removed = kept.filter((t) => removeKeys.has(tagKey(t)))
  const tags = kept.filter((t) => !removeKeys.has(tagKey(t)))
  const have = new Set(tags.map(tagKey))
  const added = add.filter((t) => !have.has(tagKey(t)))
  tags.push(...added)
  if (tags.length > TAG_LIMITS.perRequest)
    throw new CoreError(
      'invalid_input',
      `Une demande porte au plus ${TAG_LIMITS.perRequest} étiquettes : retirez-en avant d’en ajouter.`,
    )
  return { tags, added, removed }
}

/**
 * Tags with a citizen's data taken out (erasure, retention: `redact` is the privacy
 * redactor): still tags (cut to their length, empty ones dropped, repeats merged).
 */
export function redactTags(tags: readonly string[], redact: (tag: string) => string): string[] {
  return distinctTags(tags.map((t) => redact(t).slice(0, TAG_LIMITS.length).trim()).filter((t) => t !== ''))
}
