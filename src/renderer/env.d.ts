/// <reference types="vite/client" />
import type { GrcBridge } from '../shared/contract'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a plain browser (web bridge). */
    grc?: GrcBridge
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
