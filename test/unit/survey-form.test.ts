/**
 * The customer survey form partials (views/partials/survey/), rendered by the app's view
 * engine exactly as the survey page will call them: labels in the survey's language,
 * answers kept, errors beside their question, conditions for the script.
 */
import path from 'node:path';
import { VIEWS_DIR } from '../../server/app';
import { createViewEngine } from '../../server/http/view-engine';
import type { Answers, TemplateDefinition } from '../../server/templates';
import { DEFAULT_TEMPLATE } from '../helpers/templates';

const FIXTURE = path.join(__dirname, '../fixtures/views/survey-form.hbs');
const engine = createViewEngine(VIEWS_DIR);

const definition: TemplateDefinition = {
  ...DEFAULT_TEMPLATE,
  questions: [
    ...DEFAULT_TEMPLATE.questions,
    {
      id: 'channels',
      type: 'choice',
      label: { fr: 'Comment nous joindre ?', en: 'How to reach you?' },
      required: true,
      multiple: true,
      options: [
        { id: 'phone', label: { fr: 'Téléphone', en: 'Phone' } },
        { id: 'email', label: { fr: 'E-mail', en: 'Email' } },
      ],
    },
    { id: 'effort', type: 'ces', label: { fr: 'Facile ?', en: 'Easy?' }, required: false, showIf: { question: 'channels', in: ['email'] } },
  ],
};

function render(locals: { locale: 'fr' | 'en'; answers?: Answers; errors?: Record<string, string>; action?: string; token?: string }): Promise<string> {
  return new Promise((resolve, reject) =>
    engine(FIXTURE, { layout: false, version: { id: 'v1', definition }, ...locals }, (err, html) => (err ? reject(err) : resolve(String(html)))),
  );
}

describe('the survey form partial', () => {
  it('renders each question as a fieldset with a legend and labelled radio buttons, in French', async () => {
    const html = await render({ locale: 'fr' });
    expect(html).toContain('<form class="survey-form" lang="fr" method="get" novalidate data-survey-form>');
    expect(html).toContain('<legend class="survey-question__label">Avez-vous obtenu l’information dont vous aviez besoin ?</legend>');
    expect(html).toMatch(/<label class="survey-choice" for="q-info-yes">\s*<input type="radio" id="q-info-yes" name="info" value="yes">\s*<span class="survey-choice__label">Oui<\/span>/);
    expect(html).toMatch(/<input type="radio" id="q-csat-5" name="csat" value="5">\s*<span class="survey-choice__label">5<\/span><span class="survey-choice__hint">Très satisfait<\/span>/);
    expect(html.match(/name="nps"/g)).toHaveLength(11);
    expect(html).toContain('<span class="survey-question__optional">(facultatif)</span>');
    expect(html).toMatch(/<label class="survey-question__label" for="q-comment-input">Voulez-vous ajouter quelque chose \?/);
    expect(html).toContain('maxlength="2000"');
    expect(html).toContain('>Envoyer mes réponses</button>');
    expect(html).toContain('<script src="/js/survey.js" defer></script>');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('speaks English for an English survey, whatever else is on the page', async () => {
    const html = await render({ locale: 'en' });
    expect(html).toContain('lang="en"');
    expect(html).toContain('Did you get the information you needed?');
    expect(html).toContain('<span class="survey-choice__label">Yes</span>');
    expect(html).toContain('(optional)');
    expect(html).toContain('>Send my answers</button>');
  });

  it('marks conditional questions for the script, and tells people without it when to answer', async () => {
    const html = await render({ locale: 'en' });
    expect(html).toMatch(/id="q-missing" data-show-if="info" data-show-if-values="no" data-condition-unmet>/);
    expect(html).toContain('Answer this if you answered “No” to “Did you get the information you needed?”.');
    expect(html).toMatch(/id="q-effort"[^>]* data-show-if="channels" data-show-if-values="email" data-condition-unmet>/);
    expect(html).toContain('Answer this if you answered “Email” to “How to reach you?”.');
  });

  it('keeps the answers given and shows a question whose condition is met', async () => {
    const html = await render({ locale: 'en', answers: { info: 'no', csat: 4, missing: 'The <price>', channels: ['phone', 'email'] } });
    expect(html).toMatch(/value="no" checked>/);
    expect(html).toMatch(/id="q-csat-4" name="csat" value="4" checked>/);
    expect(html).toMatch(/<input type="checkbox" id="q-channels-email" name="channels" value="email" checked>/);
    expect(html).toContain('>The &lt;price&gt;</textarea>');
    expect(html).toMatch(/id="q-missing" data-show-if="info" data-show-if-values="no">/);
    expect(html).toMatch(/id="q-effort"[^>]* data-show-if-values="email">/);
  });

  it('shows an error beside its question, linked for screen readers', async () => {
    const html = await render({ locale: 'en', errors: { csat: 'Please choose a score.', comment: 'Too long.' } });
    expect(html).toMatch(/<fieldset class="survey-question survey-question--csat survey-question--invalid" id="q-csat" aria-describedby="q-csat-error">/);
    expect(html).toContain('<p class="field-error" id="q-csat-error">Please choose a score.</p>');
    expect(html).toMatch(/id="q-comment-input"[^>]*aria-describedby="q-comment-error q-comment-limit" aria-invalid="true"/);
  });

  it('posts to the given action, with the page’s hidden fields inside the form', async () => {
    const html = await render({ locale: 'fr', action: '/s/abc', token: 't0k' });
    expect(html).toContain('method="post" action="/s/abc"');
    expect(html).toMatch(/data-survey-form>\s*<input type="hidden" name="token" value="t0k">/);
  });
});
