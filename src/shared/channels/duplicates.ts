/** Likely duplicates of a request or of a request being typed, and linking them. */
// import { z } from 'zod'
// import { spec } from '../channelSpec'

export const duplicateChannels = {} as const
