/**
 * The « Comptes d’API » tab's data: the server's API accounts and what the last creation or
 * revocation answered. A new account's key is handed to the caller, never kept here: the
 * screen shows it once and forgets it.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ApiAccount, ApiAccountCreateInput } from '../../shared/apiAccounts'
import { invoke } from '../api'
import { failureOf, type AdminFailure } from './admin'

export interface ApiAccountNotice {
  action: 'created' | 'revoked'
  name: string
}

const newestFirst = (a: ApiAccount, b: ApiAccount) =>
  b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name, 'fr')

export const useApiAccountsStore = defineStore('apiAccounts', () => {
  const accounts = shallowRef<ApiAccount[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = shallowRef<AdminFailure | null>(null)
  const busy = ref(false)
  const actionError = shallowRef<AdminFailure | null>(null)
  const notice = shallowRef<ApiAccountNotice | null>(null)
  let generation = 0

  const put = (account: ApiAccount) => {
    accounts.value = [...accounts.value.filter((a) => a.id !== account.id), account].sort(newestFirst)
  }

  async function load(): Promise<boolean> {
    const asked = ++generation
    loading.value = true
    try {
      const answer = await invoke('admin.apiAccounts.list', {})
      if (asked !== generation) return false
      accounts.value = [...answer.accounts].sort(newestFirst)
      loadError.value = null
      loaded.value = true
      return true
    } catch (e) {
      if (asked === generation) loadError.value = failureOf(e)
      return false
    } finally {
      if (asked === generation) loading.value = false
    }
  }

  function clearAction() {
    actionError.value = null
    notice.value = null
  }

  /** Create an account; the answer (with its key) goes to the caller only. */
  async function create(input: ApiAccountCreateInput) {
    busy.value = true
    clearAction()
    try {
      const created = await invoke('admin.apiAccounts.create', input)
      put(created.account)
      notice.value = { action: 'created', name: created.account.name }
      return created
    } catch (e) {
      actionError.value = failureOf(e)
      return null
    } finally {
      busy.value = false
    }
  }

  async function revoke(account: ApiAccount): Promise<boolean> {
    busy.value = true
    clearAction()
    try {
      const answer = await invoke('admin.apiAccounts.revoke', { id: account.id })
      // The server's answer to a revocation does not say when the key was last used.
      put({ ...answer.account, lastUsedAt: answer.account.lastUsedAt ?? account.lastUsedAt })
      notice.value = { action: 'revoked', name: answer.account.name }
      // And the list again, with every account's last use as the server now knows it.
      void load()
      return true
    } catch (e) {
      actionError.value = failureOf(e)
      return false
    } finally {
      busy.value = false
    }
  }

  function reset() {
    generation++
    accounts.value = []
    loaded.value = false
    loading.value = false
    loadError.value = null
    busy.value = false
    clearAction()
  }

  return {
    accounts,
    loaded,
    loading,
    loadError,
    busy,
    actionError,
    notice,
    load,
    create,
    revoke,
    clearAction,
    reset,
  }
})
