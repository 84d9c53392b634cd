/** The OpenAPI entries of the DPO's routes for the citizens' rights (routes/privacy.ts). */
import {
  CitizenFile,
  CitizenLookupReply,
  CitizenLookupRequest,
  CitizenRectification,
  CitizenSearchInput,
  CitizenSearchReply,
  ErasureInput,
  ErasureResult,
  LegalHoldInput,
  LegalHoldReply,
  RectifyReply,
  RetentionPlan,
  SubjectAccessExport,
} from '../../shared/privacy'
import { agent, error, idParameter, json, queryParameters } from './common'

const dpoErrors = {
  '401': error('Missing or expired access token'),
  '403': error('Not the data protection officer'),
}
const citizen = idParameter()

export const privacyPaths = {
  '/api/v1/privacy/citizens': {
    get: {
      summary: 'Find citizens by name, e-mail or phone, ignoring case, accents and small typos (DPO role)',
      description:
        'Matches the name (accents, case and small typos ignored; either order), the e-mail and the ' +
        'phone in any spelling (`06 12 34 56 78`, `+33 6 12 34 56 78`). The search terms are never logged, ' +
        'and the search itself writes nothing.',
      security: agent,
      parameters: queryParameters(CitizenSearchInput),
      responses: {
        '200': { description: 'The best matches first', ...json(CitizenSearchReply) },
        '400': error('A malformed parameter'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/citizens/lookup': {
    post: {
      summary: 'A citizen’s requests by their exact e-mail or phone (supervisor or DPO role)',
      description:
        'For a citizen who calls and gives their e-mail address or phone number: the citizens whose ' +
        'e-mail or phone equals it (case, spaces and the +33 prefix ignored), with the ids of their ' +
        'requests the agent may see. No contact details in the answer; each citizen returned is logged ' +
        '(`citizen_lookup`) with the console id, never the term.',
      security: agent,
      requestBody: { required: true, ...json(CitizenLookupRequest, 'input') },
      responses: {
        '200': { description: 'The citizens found (often one)', ...json(CitizenLookupReply) },
        '400': error('Neither a whole e-mail address nor a whole phone number'),
        '401': error('Missing or expired access token'),
        '403': error('Neither a supervisor nor the data protection officer'),
      },
    },
  },
  '/api/v1/privacy/citizens/{id}': {
    get: {
      summary: 'A citizen’s file: data, requests, accesses (DPO role; logged)',
      description:
        'The citizen, every request of theirs with public and internal comments, history and legal hold, ' +
        'and the latest accesses to their data with the agents’ names. Logged as `dpo_view`.',
      security: agent,
      parameters: [citizen],
      responses: {
        '200': { description: 'The file', ...json(CitizenFile) },
        '404': error('Unknown citizen'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/privacy/citizens/{id}/export': {
    get: {
      summary: 'Subject access export (RGPD art. 15), format grc-subject-access/1 (DPO role; logged)',
      description:
        'Everything held on the citizen: their data, requests (comments public and internal, history ' +
        'with actors reduced to a team or role, retention dates, legal hold), the accesses to their ' +
        'data without agents’ names (CJEU C-579/21), purposes and legal bases, recipients and the ' +
        'retention policy. Logged as `export`, and written in each request’s history (`exported`).',
      security: agent,
      parameters: [citizen],
      responses: {
        '200': { description: 'Everything held on the citizen', ...json(SubjectAccessExport) },
        '404': error('Unknown citizen'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/privacy/citizens/{id}/rectify': {
    post: {
      summary: 'Rectify a citizen’s data (RGPD art. 16) (DPO role; logged)',
      description:
        'Changes the fields given (at least one). Each request of the citizen gets history `edited` ' +
        '`{citizen: true, fields}` naming the fields, never their values. Logged as `rectify`.',
      security: agent,
      parameters: [citizen],
      requestBody: { required: true, ...json(CitizenRectification, 'input') },
      responses: {
        '200': { description: 'The citizen as corrected', ...json(RectifyReply) },
        '400': error('Malformed request'),
        '404': error('Unknown or erased citizen'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/privacy/citizens/{id}/erase': {
    post: {
      summary: 'Erase a citizen (RGPD art. 17); requests under legal hold are kept and listed (DPO role)',
      description:
        'In one transaction: requests without a legal hold are detached from the citizen and their free ' +
        'text (title, description, address, fields, comments, history, conflict values) is redacted; ' +
        'internal comments go unless the retention policy keeps them; history `anonymised`. The ' +
        'citizen is anonymised when no held request still needs them. The erasure is registered with ' +
        'its reason (never type the citizen’s identity in it) and logged as `erase`; every console ' +
        'hears of it through the change feed.',
      security: agent,
      parameters: [citizen],
      requestBody: { required: true, ...json(ErasureInput, 'input') },
      responses: {
        '200': { description: 'What was anonymised, and what a legal hold kept', ...json(ErasureResult) },
        '400': error('Malformed request'),
        '404': error('Unknown citizen'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/privacy/requests/{id}/legal-hold': {
    put: {
      summary: 'Put a request under legal hold (a reason) or lift it (null) (DPO role)',
      description:
        'A held request is neither erased nor anonymised by retention (RGPD art. 17(3)(b)/(e)). ' +
        'Logged as `legal_hold` when the request has a citizen.',
      security: agent,
      parameters: [idParameter()],
      requestBody: { required: true, ...json(LegalHoldInput, 'input') },
      responses: {
        '200': { description: 'The request’s legal hold', ...json(LegalHoldReply) },
        '400': error('Malformed request'),
        '404': error('Unknown request'),
        ...dpoErrors,
      },
    },
  },
  '/api/v1/privacy/retention/preview': {
    get: {
      summary: 'What retention would anonymise or delete now, by category (DPO role)',
      description:
        'A dry run of the server’s retention with its own policy (configuration `privacy.retention`, ' +
        'each category’s own `retention` over it): per category the rule, how many closed requests ' +
        'would be anonymised or deleted, how many a legal hold keeps, a few references; and how many ' +
        'access-log entries are older than `privacy.accessLogMonths`. Changes nothing; the daily run ' +
        '(`privacy.retention.runAt`, Europe/Paris) and `npm run server -- retention` do the same.',
      security: agent,
      responses: {
        '200': { description: 'The retention plan', ...json(RetentionPlan) },
        ...dpoErrors,
      },
    },
  },
}
