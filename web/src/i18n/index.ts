import { createI18n } from 'vue-i18n'
// The messages are JSON, compiled to functions at build time
// (@intlify/unplugin-vue-i18n), so pages run vue-i18n's runtime without its
// message compiler: no message is parsed in the browser.
import zhCN from './zh-CN.json'
import enMessages from './en.json'

// English has every message Chinese has (checked by vue-tsc).
const en: typeof zhCN = enMessages

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('cogov.locale') : null

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLocale(l: 'zh-CN' | 'en') {
  i18n.global.locale.value = l
  localStorage.setItem('cogov.locale', l)
  document.documentElement.lang = l
  // The server's labels and messages follow Accept-Language: ask again.
  location.reload()
}
