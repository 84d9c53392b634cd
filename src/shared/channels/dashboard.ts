/** The lead's and supervisor's dashboards, computed from the cache. */
// import { z } from 'zod'
// import { spec } from '../channelSpec'

export const dashboardChannels = {} as const
