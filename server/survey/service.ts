/**
 * The customer's survey behind a token: the invitation, the template version it is
 * answered on and its response so far (reading changes nothing but the invitation's
 * 'opened' state), and recording answers through the responses service. Throws NotFound
 * (SURVEY_NOT_FOUND) for an unknown token and SurveyClosed (410) once it has expired.
 */
import { Gone, NotFound } from '../errors';
import type { Locale } from '../i18n';
import { answeredWrite, findInvitationByToken, markOpened, type InvitationState, type InvitationView } from '../invitations';
import { findResponse, saveAnswers, type Channel, type ResponseContext, type ResponseRecord, type SavedResponse } from '../responses';
import { siteByCode } from '../sites';
import { hashEmail } from '../suppressions';
import { getPublished, getVersion, type Answers, type PublishedVersion } from '../templates';

/** Invitation states in which the survey can be answered (answered: changed) until it expires. */
const ANSWERABLE: InvitationState[] = ['scheduled', 'sent', 'opened', 'answered'];

export class SurveyClosed extends Gone {
  constructor(
    readonly locale: Locale,
    readonly closedAt: Date,
    /** The customer's answers were recorded before it closed. */
    readonly answered: boolean,
    /** The site's, for the closing date. */
    readonly timeZone: string | undefined,
  ) {
    super('This survey is closed: answers can no longer be recorded.', { code: 'SURVEY_CLOSED' });
  }
}

export interface Survey {
  invitation: InvitationView;
  version: PublishedVersion;
  /** Loaded when asked for (the page), or when it decides the version (an invitation not sent yet). */
  response: ResponseRecord | null;
}

/**
 * The survey of a token, read only. `withResponse`: also load the response (pages need it;
 * a submit does not). Throws NotFound (SURVEY_NOT_FOUND), SurveyClosed.
 */
export async function findSurvey(token: string, options: { withResponse: boolean }, now = new Date()): Promise<Survey> {
  const invitation = await findInvitationByToken(token);
  if (!invitation) throw new NotFound('There is no survey at this address.', { code: 'SURVEY_NOT_FOUND' });
  const needResponse = options.withResponse || invitation.templateVersionId === null;
  const response = needResponse ? await findResponse(invitation.id) : null;
  if (!ANSWERABLE.includes(invitation.state) || invitation.expiresAt <= now) {
    const answered = (response ?? (await findResponse(invitation.id)))?.complete === true;
    throw new SurveyClosed(invitation.locale, invitation.expiresAt, answered, await siteTimeZone(invitation.site));
  }
  // A response keeps the version it started on; an invitation not sent yet uses the published one.
  const versionId = response?.templateVersionId ?? invitation.templateVersionId;
  const version = versionId ? await cachedVersion(versionId) : await getPublished(invitation.templateKey);
  return { invitation, version, response };
}

/** The survey page was opened (not an answer: link scanners open pages too); only a sent invitation changes. */
export async function recordVisit(survey: Survey, now = new Date()): Promise<void> {
  if (survey.invitation.state === 'sent') await markOpened(survey.invitation.id, now);
}

export interface Submission {
  answers: Answers;
  cleared?: readonly string[];
  complete: boolean;
  channel: Channel;
  locale: Locale;
}

/** Saves checked answers (the rollups follow); a full submit marks the invitation answered once they are stored. */
export async function recordAnswers(survey: Survey, submission: Submission, now = new Date()): Promise<SavedResponse> {
  return saveAnswers({
    context: responseContext(survey, submission.locale),
    definition: survey.version.definition,
    answers: submission.answers,
    cleared: submission.cleared,
    complete: submission.complete,
    channel: submission.channel,
    now,
    alongside: submission.complete ? answeredWrite(survey.invitation.id, now) : null,
    // Sent and never opened: no page has saved partial answers (an integration's JSON save still may).
    probablyNew: survey.invitation.state === 'sent',
  });
}

/** The site's time zone, for the dates a customer reads. */
export async function siteTimeZone(site: string): Promise<string | undefined> {
  return (await siteByCode(site))?.timezone;
}

function responseContext(survey: Survey, locale: Locale): ResponseContext {
  const { invitation, version } = survey;
  return {
    invitationId: invitation.id,
    callId: invitation.callId,
    externalId: invitation.externalId,
    site: invitation.site,
    queue: invitation.queue,
    agent: invitation.agent,
    reason: invitation.reason,
    callEndedAt: invitation.callEndedAt,
    day: invitation.day,
    customerHash: hashEmail(invitation.customer.email),
    templateKey: version.key,
    templateVersionId: version.id,
    locale,
  };
}

// Published versions never change: keep the recent ones instead of reading them for every answer.
const versions = new Map<string, PublishedVersion>();
const VERSIONS_KEPT = 200;

async function cachedVersion(id: string): Promise<PublishedVersion> {
  const known = versions.get(id);
  if (known) return known;
  const version = await getVersion(id);
  if (versions.size >= VERSIONS_KEPT) versions.delete(versions.keys().next().value as string);
  versions.set(id, version);
  return version;
}
