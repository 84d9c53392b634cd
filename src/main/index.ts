/**
 * Electron entry (bundled to out/main/index.js by electron-vite). All the work is in
 * app/start.ts; this file only says where the bundle lives.
 */
import { app } from 'electron'
import { SEAL_FLAG, sealSecret } from './app/sealSecret'
import { startApp } from './app/start'

const seal = process.argv.indexOf(SEAL_FLAG)
if (seal >= 0 && process.argv[seal + 1])
  void sealSecret(process.argv[seal + 1]!, process.stdin, (line) => console.log(line)).then((code) =>
    app.exit(code),
  )
else startApp({ mainDir: __dirname })
