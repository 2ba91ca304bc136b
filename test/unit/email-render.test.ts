/**
 * Survey emails as rendered from views/emails/: both parts in French and English, the
 * one-click answer links, the unsubscribe link and headers, and escaping per part.
 */
import { buildInvitationEmail, invitationLinks, renderEmail } from '../../server/mail';
import { maskEmail } from '../../server/unsubscribe/service';

const config = { publicUrl: 'https://feedback.example.com' };
const base = {
  to: 'claire.dubois@example.fr',
  token: 'tok_abc-123',
  siteName: 'Abbeville',
  customerName: 'Claire Dubois',
  expiresAt: new Date('2026-12-01T10:00:00Z'),
  timeZone: 'Europe/Paris',
};
const fr = { ...base, locale: 'fr' as const, questionLabel: 'Avez-vous obtenu l’information dont vous aviez besoin ?', kind: 'invitation' as const };
const en = { ...base, locale: 'en' as const, questionLabel: 'Did you get the information you needed?', kind: 'invitation' as const };

/** The href values of an HTML part, entities decoded as a mail client would. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
}

describe('the invitation email', () => {
  it('speaks French to a French customer: subject, greeting, site, question, buttons and expiry', () => {
    const mail = buildInvitationEmail(fr, config);
    expect(mail.subject).toBe('Une question sur votre récent appel');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Bonjour Claire Dubois,');
      expect(part).toContain('notre équipe du site Abbeville');
      expect(part).toContain('Avez-vous obtenu l’information dont vous aviez besoin ?');
      expect(part).toContain('Répondre au questionnaire complet');
      expect(part).toContain('Ce questionnaire reste ouvert jusqu’au 1 déc. 2026.');
      expect(part).toContain('Ne plus recevoir ces questionnaires');
    }
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.html).toMatch(/>Oui<\/a>/);
    expect(mail.html).toMatch(/>Non<\/a>/);
    expect(mail.text).toContain('Oui\u00a0: https://feedback.example.com/s/tok_abc-123?a=info:yes');
    expect(mail.text).toContain('Non\u00a0: https://feedback.example.com/s/tok_abc-123?a=info:no');
  });

  it('speaks English to an English customer', () => {
    const mail = buildInvitationEmail(en, config);
    expect(mail.subject).toBe('One question about your recent call');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Hello Claire Dubois,');
      expect(part).toContain('answered by our team at Abbeville');
      expect(part).toContain('Did you get the information you needed?');
      expect(part).toContain('Take the full survey');
      expect(part).toContain('This survey is open until Dec 1, 2026.');
      expect(part).toContain('Stop receiving these surveys');
    }
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toMatch(/>Yes<\/a>/);
    expect(mail.html).toMatch(/>No<\/a>/);
    expect(mail.text).toContain('Yes: https://feedback.example.com/s/tok_abc-123?a=info:yes');
  });

  it('links the buttons to one-click answers of the information question, the survey and the unsubscribe page', () => {
    const mail = buildInvitationEmail(en, config);
    expect(hrefs(mail.html)).toEqual(
      expect.arrayContaining([
        'https://feedback.example.com/s/tok_abc-123?a=info:yes',
        'https://feedback.example.com/s/tok_abc-123?a=info:no',
        'https://feedback.example.com/s/tok_abc-123',
        'https://feedback.example.com/u/tok_abc-123',
      ]),
    );
    expect(mail.text).toContain('https://feedback.example.com/u/tok_abc-123');
  });

  it('asks for one-click unsubscribe in the headers (RFC 2369 and RFC 8058)', () => {
    const mail = buildInvitationEmail(fr, config);
    expect(mail.to).toBe('claire.dubois@example.fr');
    expect(mail.tag).toBe('invitation');
    expect(mail.headers).toMatchObject({
      'List-Unsubscribe': '<https://feedback.example.com/u/tok_abc-123>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('needs no images or remote content, and uses no script', () => {
    const { html } = buildInvitationEmail(fr, config);
    expect(html).not.toMatch(/<img|<script|<link|url\(/i);
    expect(html).toContain('<title>Une question sur votre récent appel</title>');
  });

  it('greets without a name when the customer gave none', () => {
    const mail = buildInvitationEmail({ ...fr, customerName: null }, config);
    expect(mail.text.startsWith('Bonjour,\n')).toBe(true);
    expect(mail.html).toContain('>Bonjour,</p>');
  });

  it('escapes names in the HTML part but keeps them as typed in the plain-text part', () => {
    const mail = buildInvitationEmail({ ...en, customerName: 'Seán O\'Brien <b>', siteName: 'Dreux & Co' }, config);
    expect(mail.html).toContain('Hello Seán O&#x27;Brien &lt;b&gt;,');
    expect(mail.html).toContain('Dreux &amp; Co');
    expect(mail.text).toContain("Hello Seán O'Brien <b>,");
    expect(mail.text).toContain('Dreux & Co');
  });

  it('uses the template\'s own id for the information question when it is not `info`', () => {
    const links = invitationLinks('t0k', 'http://localhost:3000', 'got-info');
    expect(links.yesUrl).toBe('http://localhost:3000/s/t0k?a=got-info:yes');
    expect(links.noUrl).toBe('http://localhost:3000/s/t0k?a=got-info:no');
  });
});

describe('the reminder email', () => {
  it('says it is a reminder in both languages and keeps the same links and headers', () => {
    const frMail = buildInvitationEmail({ ...fr, kind: 'reminder' }, config);
    const enMail = buildInvitationEmail({ ...en, kind: 'reminder' }, config);
    expect(frMail.subject).toBe('Rappel\u00a0: une question sur votre récent appel');
    expect(frMail.text).toContain('Il y a quelques jours, vous avez appelé notre service client');
    expect(enMail.subject).toBe('Reminder: one question about your recent call');
    expect(enMail.html).toContain('A few days ago you called our customer service');
    expect(enMail.tag).toBe('reminder');
    expect(enMail.text).toContain('Yes: https://feedback.example.com/s/tok_abc-123?a=info:yes');
    expect(enMail.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });
});

describe('renderEmail', () => {
  it('renders a template by name with the subject from the email strings', () => {
    const out = renderEmail('invitation', 'en', { ...invitationLinks('x', 'http://h'), siteName: 'Dreux', questionLabel: 'Q?', expiresAt: base.expiresAt });
    expect(out.subject).toBe('One question about your recent call');
    expect(out.text).toContain('Hello,');
    expect(out.html).toContain('Q?');
  });

  it('refuses a name that is not a plain template name', () => {
    expect(() => renderEmail('../layouts/main', 'fr', {})).toThrow(/not a template name/);
  });
});

describe('maskEmail', () => {
  it.each([
    ['claire.dubois@example.fr', 'c•••s@e•••.fr'],
    ['jo@mail.example.co.uk', 'j•••@m•••.example.co.uk'],
    ['a@localhost', 'a•••@l•••t'],
  ])('shows %s as %s', (address, masked) => {
    expect(maskEmail(address)).toBe(masked);
  });
});
