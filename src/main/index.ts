/**
 * Electron entry (bundled to out/main/index.js by electron-vite). All the work is in
 * app/start.ts; this file only says where the bundle lives.
 */
import { startApp } from './app/start'

startApp({ mainDir: __dirname })
