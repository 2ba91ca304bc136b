/**
 * The admin privacy page (/admin/privacy): the retention in force and its last pass, the
 * erasure form, what an erasure would change (shown before anything changes), and the
 * erasure itself (Post/Redirect/Get back to the page, which lists recent erasures from
 * the audit log). Rules in erasure.ts and retention.ts.
 */
import type { Request, Response } from 'express';
import { actorOf, listAudit } from '../audit';
import type { Config } from '../config';
import { checkForm, errorSummary, fieldMessages, type FieldErrors } from '../http/forms';
import { eraseCustomer, previewErasure } from './erasure';
import { lastRetentionCheck } from './retention';
import { confirmForm, erasureForm, type ErasureForm } from './schemas';

const RECENT = 10;

type Counts = Partial<Record<'calls' | 'invitations' | 'responses' | 'outbox', number>>;

function describe(res: Response) {
  return fieldMessages(res.locals.t, res.locals.locale, 'privacy');
}

function submitted(body: unknown): string {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email : '';
}

async function renderPage(res: Response, config: Pick<Config, 'retentionMonths'>, email: string, errors: FieldErrors | null, erased = false): Promise<void> {
  const [erasures, retention, lastCheck] = await Promise.all([
    listAudit({ action: 'privacy.erase' }),
    listAudit({ action: 'privacy.retention' }),
    lastRetentionCheck(),
  ]);
  const last = retention.entries[0];
  res.render('admin/privacy/page', {
    title: res.locals.t('privacy.title'),
    retentionMonths: config.retentionMonths,
    lastCheck,
    lastRetention: last ? { at: last.at, counts: last.after as Counts } : null,
    erasures: erasures.entries.slice(0, RECENT).map((e) => ({ at: e.at, by: e.actor?.label ?? '', counts: e.after as Counts })),
    email,
    errors: errors ?? {},
    summary: errorSummary(errors),
    erased,
  });
}

export function privacyHandlers(config: Pick<Config, 'retentionMonths'>) {
  return {
    // GET /admin/privacy: the retention, the erasure form and the recent erasures.
    async showPrivacy(req: Request, res: Response): Promise<void> {
      await renderPage(res, config, '', null, req.query.erased === '1');
    },

    // POST /admin/privacy/preview: what erasing this address would change; nothing changes yet.
    async showErasurePreview(req: Request, res: Response): Promise<void> {
      const form = checkForm<ErasureForm>(erasureForm, req.body, describe(res));
      if (form.errors) return renderPage(res.status(422), config, submitted(req.body), form.errors);
      const found = await previewErasure(form.value.email);
      res.render('admin/privacy/preview', {
        title: res.locals.t('privacy.preview.title'),
        email: form.value.email,
        found,
        suppressedBecause: found.suppression ? res.locals.t(`calls.suppression.${found.suppression}`) : null,
      });
    },

    // POST /admin/privacy/erase: erase everything about the address, then back to the page.
    async submitErasure(req: Request, res: Response): Promise<void> {
      const form = checkForm<ErasureForm>(confirmForm, req.body, describe(res));
      if (form.errors) return renderPage(res.status(422), config, submitted(req.body), form.errors);
      await eraseCustomer(form.value.email, actorOf(res));
      res.redirect(303, '/admin/privacy?erased=1');
    },
  };
}
