// userErrors of a mutation placed next to the form fields they name: the
// last element of `field` (["input", "startsAt"] → startsAt); errors without
// a field, or naming one the form does not show, are shown above the form.
import { reactive, ref } from 'vue'
import { i18n } from '../i18n'

export type UserError = { code: string; field?: readonly string[] | null; message: string }

export function useFieldErrors(fields: readonly string[]) {
  const byField = reactive<Record<string, string>>({})
  const general = ref<UserError[]>([])
  function clear() {
    for (const k of Object.keys(byField)) delete byField[k]
    general.value = []
  }
  function show(errors: readonly UserError[]) {
    clear()
    for (const e of errors) {
      const f = e.field?.[e.field.length - 1]
      if (f && fields.includes(f)) byField[f] = byField[f] ? `${byField[f]}；${e.message}` : e.message
      else general.value.push(e)
    }
  }
  /**
   * Shows a mutation's answer: its payload's userErrors, or (no payload) the
   * request's error above the form. True when the mutation succeeded.
   */
  function answered(payload: { userErrors: readonly UserError[] } | null | undefined, error?: { message: string }): boolean {
    if (!payload) {
      show([{ code: 'ERROR', message: error?.message ?? i18n.global.t('app.error') }])
      return false
    }
    show(payload.userErrors)
    return payload.userErrors.length === 0
  }
  return { byField, general, show, clear, answered }
}
