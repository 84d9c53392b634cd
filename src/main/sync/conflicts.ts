/**
 * The conflict inbox as the agent sees it: each change the server did not apply, field by
 * field beside the server's value, with who changed it and when; and settling one (keep
 * mine: sent again on the current version, through the same checks as any change; keep
 * theirs; or, for an edit of several fields, choose field by field).
 */
import type { ParsedInputOf, SessionInfo } from '../../shared/contract'
import { CoreError } from '../../shared/result'
import type { Conflict, ConflictField, CreateRequestInput, FieldChange, Mutation } from '../../shared/sync'
import type { RequestService } from '../services/requests'
import type { TourService } from '../services/tours'
import { valueOfField } from '../../core/requests/operations'
import type { CacheOpContext } from '../cache/requestWrites'
import { withFullSync } from '../cache/db'
import { getCategory } from '../cache/queries/reference'
import {
  getOpenConflict,
  listOpenConflicts,
  resolveConflict,
  type StoredConflict,
} from '../cache/queries/conflicts'
import { getRequestRow, type RequestRow } from '../cache/queries/requests'
import { getTour } from '../cache/queries/tours'

type Payload<Op extends Mutation['op']> = Extract<Mutation, { op: Op }>['payload']

const iso = (ms: number) => new Date(ms).toISOString()

export function createConflictService(
  ctx: CacheOpContext,
  requests: RequestService,
  now: () => number,
  tours: TourService,
) {
  const { db } = ctx

  /** Where a transition leads: the target state's id (the renderer says it in the agent's language). */
  function targetOf(row: RequestRow | undefined, transitionId: string): string {
    const category = row && getCategory(db, row.categoryId)
    const def = category && ctx.workflows.get(category.workflowId)
    return def?.transitions.find((x) => x.id === transitionId)?.to ?? transitionId
  }

  function fieldsOf(c: StoredConflict, row: RequestRow | undefined): ConflictField[] {
    const theirs = new Map<string, FieldChange>(c.theirs.map((t) => [t.field, t]))
    // Values stay ids and codes (agent id, state id, priority): the renderer puts them in words.
    const side = (field: string, mine: unknown): ConflictField => {
      const t = theirs.get(field)
      return {
        field,
        mine,
        theirs: t ? t.value : row ? valueOfField(row, field) : null,
        theirActor: t?.actorName ?? null,
        theirAt: t ? iso(t.at) : null,
      }
    }
    switch (c.op) {
      case 'assign':
        return [side('assigneeId', (c.payload as Payload<'assign'>).assigneeId)]
      case 'transition': {
        const p = c.payload as Payload<'transition'>
        return [
          side('status', targetOf(row, p.transitionId)),
          ...Object.entries(p.fields).map(([k, v]) => side(`fields.${k}`, v)),
        ]
      }
      case 'update':
        return Object.entries(c.payload as Payload<'update'>).map(([k, v]) => side(k, v))
      case 'tour_save':
      case 'tour_delete':
        return [
          {
            field: 'tour',
            mine: c.op === 'tour_save' ? (c.payload as Payload<'tour_save'>).name : null,
            theirs: getTour(db, c.requestId)?.name ?? null,
            theirActor: null,
            theirAt: null,
          },
        ]
      case 'merge':
        return [
          {
            field: 'merge',
            mine: getRequestRow(db, (c.payload as Payload<'merge'>).duplicateId)?.reference ?? null,
            theirs: null,
            theirActor: null,
            theirAt: null,
          },
        ]
      case 'tag': {
        // What the agent added and removed, beside the tags the request has now.
        const p = c.payload as Payload<'tag'>
        const mine = [...p.add.map((t) => `+ ${t}`), ...p.remove.map((t) => `− ${t}`)].join(', ')
        return [
          { field: 'tags', mine, theirs: (row?.tags ?? []).join(', '), theirActor: null, theirAt: null },
        ]
      }
      case 'comment':
        return [
          {
            field: 'comment',
            mine: (c.payload as Payload<'comment'>).body,
            theirs: null,
            theirActor: null,
            theirAt: null,
          },
        ]
      default: {
        const p = c.payload as CreateRequestInput
        return [{ field: 'title', mine: p?.title ?? null, theirs: null, theirActor: null, theirAt: null }]
      }
    }
  }

  return {
    list(): Conflict[] {
      return listOpenConflicts(db).map((c) => {
        const row = getRequestRow(db, c.requestId)
        const created = c.op === 'create' ? (c.payload as CreateRequestInput) : null
        const tourName =
          c.op === 'tour_save'
            ? (c.payload as Payload<'tour_save'>).name
            : c.op === 'tour_delete'
              ? (getTour(db, c.requestId)?.name ?? null)
              : null
        return {
          id: c.id,
          requestId: c.requestId,
          reference: row?.reference ?? '—',
          title: row?.title ?? created?.title ?? tourName ?? '—',
          op: c.op as Conflict['op'],
          madeAt: iso(c.madeAt),
          detectedAt: iso(c.detectedAt),
          fields: fieldsOf(c, row),
          mergeable:
            c.kind === 'conflict' && c.op === 'update' && Object.keys(c.payload as object).length > 1,
          kind: c.kind,
          reason: c.reason,
        }
      })
    },

    /** @returns whether the agent's change was sent again. */
    resolve(session: SessionInfo, input: ParsedInputOf<'conflicts.resolve'>): { requeued: boolean } {
      const c = getOpenConflict(db, input.id)
      if (!c) throw new CoreError('not_found', 'Ce conflit est introuvable ou déjà réglé.')
      if (input.choice === 'theirs') {
        resolveConflict(db, c.id, 'theirs', now())
        return { requeued: false }
      }
      const row = getRequestRow(db, c.requestId)
      const base = row?.version
      if (input.choice === 'merge') {
        if (c.op !== 'update')
          throw new CoreError('invalid_input', 'Seule une modification de champs se fusionne.')
        const patch = Object.fromEntries(
          Object.entries(c.payload as Payload<'update'>).filter(([k]) => input.fields[k] === 'mine'),
        )
        withFullSync(db, () => {
          if (Object.keys(patch).length > 0)
            requests.update(session, { id: c.requestId, patch, baseVersion: base })
          resolveConflict(db, c.id, 'merge', now())
        })
        return { requeued: Object.keys(patch).length > 0 }
      }
      const id = c.requestId
      // The change sent again and the conflict settled commit together: a crash between them
      // cannot leave the conflict open with its change already queued (a second click would send it twice).
      withFullSync(db, () => {
        switch (c.op) {
          case 'assign':
            requests.assign(session, { id, ...(c.payload as Payload<'assign'>), baseVersion: base })
            break
          case 'transition':
            requests.transition(session, { id, ...(c.payload as Payload<'transition'>), baseVersion: base })
            break
          case 'update':
            requests.update(session, { id, patch: c.payload as Payload<'update'>, baseVersion: base })
            break
          case 'comment': {
            const p = c.payload as Payload<'comment'>
            requests.comment(session, { id, kind: p.kind, body: p.body })
            break
          }
          case 'create':
            requests.create(session, c.payload as CreateRequestInput)
            break
          case 'tag':
            // Applied again on the tags the request has now (a tag change has no base to be stale on).
            requests.applyQuietly(session, id, { op: 'tag', payload: c.payload as Payload<'tag'> })
            break
          case 'tour_save': {
            const { assignStops, ...plan } = c.payload as Payload<'tour_save'>
            // Over the server's version now in the cache; a tour gone meanwhile comes back as a new one.
            const current = getTour(db, id)
            tours.save(session, {
              id: current ? id : undefined,
              plan,
              assignStops: assignStops ?? false,
              baseVersion: current?.version,
            })
            break
          }
          case 'tour_delete':
            if (getTour(db, id)) tours.delete(session, id)
            break
          case 'merge':
            // Refused for a reason that holds (merged elsewhere, no right): redone from the panel, if still wanted.
            throw new CoreError(
              'invalid_input',
              'Une fusion refusée ne se renvoie pas : recommencez-la depuis le panneau des doublons.',
            )
          default:
            throw new CoreError('invalid_input', 'Modification inconnue.')
        }
        resolveConflict(db, c.id, 'mine', now())
      })
      return { requeued: true }
    },
  }
}

export type ConflictService = ReturnType<typeof createConflictService>
