/**
 * How a channel of the IPC contract is declared: its input and output schemas and whether
 * it needs a session. The contract (contract.ts) and each feature's channel module
 * (channels/*.ts) build their entries with `spec`.
 */
import type { z } from 'zod'

export type Access = 'public' | 'session'

export interface ChannelSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I
  output: O
  /** `public` channels run without a session (login); all others need one. */
  access: Access
}

export const spec = <I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  access: Access = 'session',
) => ({ input, output, access }) satisfies ChannelSpec<I, O>
