/** Recording a request phoned in or brought to the counter: citizens, addresses (BAN geocoding), the routing decision. */
// import { z } from 'zod'
// import { spec } from '../channelSpec'

export const intakeChannels = {} as const
