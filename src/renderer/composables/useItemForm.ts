/**
 * The state of an administration form: the values typed, and the server version they were
 * based on. When the item changes under the form (a save here, a change pulled from the
 * server), an untouched form follows it; one the administrator changed keeps what they typed
 * and its old version, so saving it is refused as a conflict rather than undoing the other
 * change.
 */
import { reactive, ref, watch } from 'vue'

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export function useItemForm<I extends { version: number }, V extends object>(
  item: () => I | null,
  valuesOf: (item: I | null) => V,
) {
  let base = valuesOf(item())
  const values = reactive(structuredClone(base)) as V
  const baseVersion = ref<number | null>(item()?.version ?? null)

  watch(
    () => item()?.version,
    () => {
      const current = item()
      // Gone from the server: the form stays as typed; the editor says so.
      if (!current) return
      const next = valuesOf(current)
      if (same(values, base) || same(values, next)) {
        Object.assign(values, structuredClone(next))
        base = next
        baseVersion.value = current.version
      }
    },
  )

  /** True when a field differs from the version the form was based on. */
  const changed = () => !same(values, base)

  return { values, baseVersion, changed }
}
