import { catalogKeys, negotiateLocale, translate } from '../../server/i18n';

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
