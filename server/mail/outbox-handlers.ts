/**
 * HTTP adapters of the outbox: the JSON list for API keys, and the admin pages (list with
 * paging, one message with its text part and links, its HTML part served alone under a
 * CSP that forbids scripts and remote content). Views: views/admin/outbox/.
 */
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { NotFound } from '../errors';
import type { Translate } from '../i18n';
import { countOutbox, getOutboxMessage, listOutbox, type OutboxEntry } from './outbox';
import type { OutboxApiQuery } from './schemas';

const PER_PAGE = 25;
/** The HTML part is someone else's markup in our origin: no scripts, no fetches, no forms. */
const EMAIL_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox";

// GET /api/v1/outbox: stored messages, newest first (?limit ≤ 200, ?before=<ISO date>).
export async function listOutboxApi(_req: Request, res: Response): Promise<void> {
  const { limit, before } = res.locals.input.query as OutboxApiQuery;
  const messages = await listOutbox({ limit, before });
  res.json({
    messages: messages.map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers, tag: m.tag, createdAt: m.createdAt })),
  });
}

// GET /admin/outbox: kept emails, newest first, 25 a page.
export function showOutbox(config: Pick<Config, 'smtpUrl'>) {
  return async (_req: Request, res: Response): Promise<void> => {
    const { page } = res.locals.input.query as { page: number };
    const t = res.locals.t;
    const total = await countOutbox();
    const pages = Math.max(Math.ceil(total / PER_PAGE), 1);
    const messages = await listOutbox({ limit: PER_PAGE, skip: (page - 1) * PER_PAGE });
    res.render('admin/outbox/list', {
      title: t('outbox.title'),
      smtp: Boolean(config.smtpUrl),
      total,
      messages: messages.map((m) => ({ ...m, kind: kindLabel(t, m.tag) })),
      current: t('outbox.pages.current', { page, pages }),
      newerHref: page > 1 ? pageHref(page - 1) : undefined,
      olderHref: page < pages ? pageHref(page + 1) : undefined,
    });
  };
}

// GET /admin/outbox/:id: one kept email: who, when, headers, plain text and its links.
export async function showOutboxMessage(req: Request, res: Response): Promise<void> {
  const message = await found(req.params.id);
  const t = res.locals.t;
  res.render('admin/outbox/show', {
    title: message.subject,
    message,
    kind: kindLabel(t, message.tag),
    headers: Object.entries(message.headers).map(([name, value]) => ({ name, value })),
    links: linksOf(message.html),
  });
}

// GET /admin/outbox/:id/html: the HTML part alone, as a mail client would show it.
export async function showOutboxHtml(req: Request, res: Response): Promise<void> {
  const message = await found(req.params.id);
  res.set('Content-Security-Policy', EMAIL_HTML_CSP);
  res.set('Cache-Control', 'no-store');
  res.type('html').send(message.html);
}

async function found(id: unknown): Promise<OutboxEntry> {
  const message = await getOutboxMessage(String(id));
  if (!message) throw new NotFound('No such email in the outbox.');
  return message;
}

function pageHref(page: number): string {
  return page > 1 ? `/admin/outbox?page=${page}` : '/admin/outbox';
}

function kindLabel(t: Translate, tag: string | null): string {
  return t(tag === 'invitation' || tag === 'reminder' ? `outbox.kinds.${tag}` : 'outbox.kinds.other');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", '#x3D': '=', '#x60': '`' };

/** The distinct http(s) links of an HTML part, with entities decoded, in order of appearance. */
export function linksOf(html: string): string[] {
  const links = new Set<string>();
  for (const match of html.matchAll(/href="([^"]*)"/gi)) {
    const href = (match[1] ?? '').replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => (Object.hasOwn(ENTITIES, name) ? (ENTITIES[name] as string) : whole));
    if (/^https?:\/\//i.test(href)) links.add(href);
  }
  return [...links];
}
