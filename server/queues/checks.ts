/**
 * Checks the queue services share with stored data of other features: a site a queue
 * may be assigned to, a survey template it may use, and the audit entry of a relocation.
 */
import type { AuditActor, AuditInput } from '../audit';
import { Invalid } from '../errors';
import { siteByCode } from '../sites';
import { findTemplate } from '../templates';
import { siteAt } from './assignments';
import type { Queue } from './records';

/** The site's code if the queue may move there. Throws Invalid (UNKNOWN_SITE, INACTIVE_SITE) on `field`. */
export async function assignableSite(code: string, field: string): Promise<string> {
  const site = await siteByCode(code);
  if (!site) {
    throw new Invalid(undefined, { details: [{ field, type: 'UNKNOWN_SITE', message: `There is no site ${code}.` }] });
  }
  if (!site.active) {
    throw new Invalid(undefined, { details: [{ field, type: 'INACTIVE_SITE', message: `Site ${site.code} is inactive.` }] });
  }
  return site.code;
}

/**
 * Throws Invalid on `survey.template` unless the key names an active template with a
 * published version (what dispatch will send): UNKNOWN_TEMPLATE, ARCHIVED_TEMPLATE,
 * UNPUBLISHED_TEMPLATE.
 */
export async function checkTemplate(key: string): Promise<void> {
  const template = await findTemplate(key);
  const problem = !template
    ? { type: 'UNKNOWN_TEMPLATE', message: `There is no survey template ${key}.` }
    : template.status === 'archived'
      ? { type: 'ARCHIVED_TEMPLATE', message: `The survey template ${key} is archived.` }
      : template.currentVersion === 0
        ? { type: 'UNPUBLISHED_TEMPLATE', message: `The survey template ${key} has no published version yet.` }
        : null;
  if (problem) throw new Invalid(undefined, { details: [{ field: 'survey.template', ...problem }] });
}

/** The audit entry of a move: the site before and after `at`, and both histories. */
export function relocationAudit(actor: AuditActor, before: Queue, after: Queue, at: Date, action = 'queue.relocate'): AuditInput {
  const open = after.assignments[after.assignments.length - 1];
  return {
    actor,
    action,
    target: { type: 'queue', id: after.code },
    before: { site: siteAt(before.assignments, at), assignments: before.assignments },
    after: { site: siteAt(after.assignments, at), from: open?.from ?? null, note: open?.note ?? null, assignments: after.assignments },
  };
}
