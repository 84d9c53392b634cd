/**
 * The two Electron IPC channel names the preload and `ipc/register.ts` agree on. Contract
 * operations travel as arguments of one `grc:invoke` channel, so there is a single handler
 * to guard; core events travel on `grc:event`. A plain constants module so the sandboxed
 * preload can bundle it without pulling in anything from the main process.
 */
export const IPC_INVOKE = 'grc:invoke'
export const IPC_EVENT = 'grc:event'
