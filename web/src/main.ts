import { createApp } from 'vue'
import urql from '@urql/vue'
import 'element-plus/theme-chalk/base.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { client } from './client'
import './style.css'

document.documentElement.lang = String(i18n.global.locale.value)
createApp(App).use(router).use(i18n).use(urql, client).mount('#app')
