/** Renderer entry: take the web bridge token (if any), then mount the console. */
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { z } from 'zod'
import { captureBridgeToken } from './api'
import App from './App.vue'
import { createAppI18n, storedLocale } from './i18n'
import './styles/base.css'

// zod would otherwise probe `new Function` once to speed up parsing: the CSP forbids it,
// and the probe alone prints a violation in the console.
z.config({ jitless: true })

// Before anything else, so the token leaves the address bar at once.
if (!window.grc) captureBridgeToken()

// Until the configuration's preferences arrive (usePreferences), the agent's last choice or French.
createApp(App).use(createPinia()).use(createAppI18n(storedLocale())).mount('#app')
