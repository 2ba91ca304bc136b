import { switchHref } from '../../server/http/i18n';
import { catalogKeys, negotiateLocale, translate, translator } from '../../server/i18n';

describe('interface strings', () => {
  it('have the same keys in French and English', () => {
    expect(catalogKeys('fr')).toEqual(catalogKeys('en'));
  });

  it('have no empty string', () => {
    for (const locale of ['fr', 'en'] as const) {
      for (const key of catalogKeys(locale)) expect(translate(locale, key).trim()).not.toBe('');
    }
  });

  it('fill {placeholders} and leave unknown ones visible', () => {
    expect(translate('fr', 'errors.requestId', { id: 'abc' })).toBe('Référence : abc');
    expect(translate('en', 'errors.requestId')).toBe('Reference: {id}');
  });

  it('return the key itself when it is missing, so the page still renders', () => {
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'fr'],
    ['en-GB,en;q=0.9', 'en'],
    ['de-DE,de;q=0.9,en;q=0.5,fr;q=0.4', 'en'],
    ['en;q=0.3, fr-CA;q=0.8', 'fr'],
    ['es, it', 'fr'],
    ['en;q=0', 'fr'],
  ])('picks the best supported locale for %j', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});

describe('the language switch link', () => {
  it('sets ?lang= on the current address exactly as the URL parser writes it', () => {
    const parsed = (originalUrl: string, locale: 'fr' | 'en') => {
      const url = new URL(originalUrl, 'http://retour.invalid');
      url.searchParams.set('lang', locale);
      return url.pathname + url.search;
    };
    const addresses = ['/', '/s/AbC_d-e~f', '/reports/', '/a//b', '/a/./b', '/a/../b', '/a/%2e%2e/b', '/x/%41b', '/a b', '/"<x>', '/r?site=ABV&lang=fr', '/r?lang=en#top', '/é'];
    for (const address of addresses) expect([address, switchHref(address, 'en')]).toEqual([address, parsed(address, 'en')]);
    expect(switchHref('/s/token', 'fr')).toBe('/s/token?lang=fr');
  });

  it('gives each locale one translator, shared by every request', () => {
    expect(translator('en')).toBe(translator('en'));
    expect(translator('en')('layout.switchLanguage')).not.toBe(translator('fr')('layout.switchLanguage'));
  });
});
