/**
 * The placeholders' meanings come from the server in French; an administrator working in
 * English reads them in English where the console knows the placeholder, and the server's
 * words for one it does not know yet (a newer server).
 */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PlaceholderChips from '../../../src/renderer/components/admin/templates/PlaceholderChips.vue'
import { createAppI18n } from '../../../src/renderer/i18n'
import { PLACEHOLDERS } from '../../../src/shared/noticeTemplates'

describe('placeholder chips in English', () => {
  it('name each placeholder in the screen’s language, or in the server’s words when unknown', () => {
    const w = mount(PlaceholderChips, {
      props: {
        placeholders: [
          { name: 'reference', meaning: PLACEHOLDERS.reference },
          { name: 'quartier', meaning: 'le quartier de la demande' },
        ],
        target: 'the e-mail text',
      },
      global: { plugins: [createAppI18n('en')] },
    })
    const labels = w.findAll('button').map((b) => b.attributes('aria-label'))
    expect(labels).toHaveLength(2)
    expect(labels[0]).toContain('the request’s reference (GRC-2026-000123)')
    expect(labels[0]).not.toContain('la référence')
    expect(labels[1]).toContain('le quartier de la demande')
    w.unmount()
  })
})
