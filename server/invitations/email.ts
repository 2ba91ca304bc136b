/**
 * What an invitation or reminder email says: the information question's label from the
 * template version (the published one at the first send, the same one for the reminder),
 * the site's name and time zone, handed to the mail feature's buildInvitationEmail.
 * Template versions and sites are cached briefly: a drain of thousands asks once.
 */
import type { Config } from '../config';
import { translate, type Locale } from '../i18n';
import { buildInvitationEmail, type OutgoingMail } from '../mail';
import { siteByCode } from '../sites';
import { getPublished, getVersion, informationQuestion } from '../templates';
import type { Claimed } from './claims';

export interface BuiltEmail {
  mail: OutgoingMail;
  /** The template version the email's question comes from (stored at the first send). */
  templateVersionId: string;
}

export type EmailBuilder = (claimed: Claimed) => Promise<BuiltEmail>;

const CACHE_MS = 30_000;
/** A version the admin just published is in the emails sent a second later (a drain still asks once a second). */
const PUBLISHED_MS = 1_000;

/** A small time-bounded memo of an async lookup; failures are not kept. */
function memo<T>(load: (key: string) => Promise<T>, ttlMs: number, clock: () => number): (key: string) => Promise<T> {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const hit = entries.get(key);
    if (hit && clock() - hit.at < ttlMs) return hit.value;
    if (entries.size > 1000) entries.clear();
    const value = load(key);
    entries.set(key, { at: clock(), value });
    value.catch(() => entries.delete(key));
    return value;
  };
}

/**
 * Throws what getPublished throws (NotFound TEMPLATE_NOT_PUBLISHED...) when the template
 * cannot be used: the worker counts that as a failed attempt and retries later.
 */
export function createEmailBuilder(config: Pick<Config, 'publicUrl'>, ttlMs = CACHE_MS, clock: () => number = Date.now): EmailBuilder {
  const published = memo(getPublished, Math.min(ttlMs, PUBLISHED_MS), clock);
  // Versions never change: the TTL only bounds memory.
  const version = memo(getVersion, ttlMs * 10, clock);
  const site = memo(siteByCode, ttlMs, clock);

  return async ({ kind, doc, token }) => {
    const locale = doc.customer.locale as Locale;
    const [template, place] = await Promise.all([
      doc.templateVersionId ? version(doc.templateVersionId) : published(doc.templateKey),
      site(doc.site),
    ]);
    const question = informationQuestion(template.definition);
    const mail = buildInvitationEmail(
      {
        to: doc.customer.email,
        token,
        locale,
        siteName: place?.name ?? doc.site,
        customerName: doc.customer.name,
        questionLabel: question?.label[locale] ?? translate(locale, 'invitations.informationQuestion'),
        questionId: question?.id ?? 'info',
        expiresAt: doc.expiresAt,
        timeZone: place?.timezone,
        kind,
      },
      config,
    );
    return { mail, templateVersionId: template.id };
  };
}
