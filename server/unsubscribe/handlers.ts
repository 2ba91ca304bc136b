/**
 * HTTP adapters of unsubscribing: the confirmation page (GET never changes anything, so
 * link scanners cannot unsubscribe anyone), the unsubscribe itself (POST from the page, or
 * the RFC 8058 one-click POST a mail client sends), and the page for an unknown link.
 * Pages speak the invitation's language unless the reader chose the other one (?lang=).
 */
import type { Request, Response } from 'express';
import { useLocale } from '../http/i18n';
import { isLocale } from '../i18n';
import { findUnsubscribeTarget, unsubscribe, type UnsubscribeTarget } from './service';

// GET /u/:token: asks for confirmation, showing the masked address.
export async function showUnsubscribe(req: Request, res: Response): Promise<void> {
  const token = String(req.params.token);
  const target = await findUnsubscribeTarget(token);
  if (!target) return unknownLink(res);
  speakCustomerLanguage(req, res, target);
  if (target.invitation.unsubscribedAt) return donePage(res, token, target);
  const t = res.locals.t;
  res.render('unsubscribe/confirm', {
    title: t('unsubscribe.title'),
    action: `/u/${encodeURIComponent(token)}?lang=${res.locals.locale}`,
    question: t('unsubscribe.question', { address: target.maskedEmail }),
  });
}

// POST /u/:token: unsubscribes (page form or one-click `List-Unsubscribe=One-Click`); answers 200, never a redirect (RFC 8058).
export async function submitUnsubscribe(req: Request, res: Response): Promise<void> {
  const token = String(req.params.token);
  const target = await unsubscribe(token);
  if (!target) return unknownLink(res);
  speakCustomerLanguage(req, res, target);
  donePage(res, token, target);
}

function speakCustomerLanguage(req: Request, res: Response, target: UnsubscribeTarget): void {
  // The address is personal and the page is reached by a secret link: keep it out of caches and indexes.
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
  if (!isLocale(req.query.lang)) useLocale(res, target.invitation.locale);
}

function donePage(res: Response, token: string, target: UnsubscribeTarget): void {
  const t = res.locals.t;
  res.render('unsubscribe/done', {
    title: t('unsubscribe.doneTitle'),
    lead: t('unsubscribe.doneLead', { address: target.maskedEmail }),
    surveyHref: target.canAnswer ? `/s/${encodeURIComponent(token)}` : undefined,
  });
}

function unknownLink(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.status(404).render('unsubscribe/unknown', { title: res.locals.t('unsubscribe.unknownTitle') });
}
