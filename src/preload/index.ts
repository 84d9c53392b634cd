/**
 * The preload: bundled as one CommonJS file (a sandboxed preload cannot import modules),
 * it exposes `window.grc` through the context bridge and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createGrcBridge } from './bridge'

contextBridge.exposeInMainWorld('grc', createGrcBridge(ipcRenderer))
