import { canSeeSite, visibleSites, type StaffUser } from '../../server/auth';
import { safeNext } from '../../server/auth/forms';
import { hashPassword, needsRehash, verifyPassword } from '../../server/auth/passwords';

const lead = (sites: string[]): StaffUser => ({ id: '1', email: 'l@example.com', name: '', role: 'quality', sites, locale: 'fr' });

describe('site scopes', () => {
  it('limit a quality lead to their sites', () => {
    expect(visibleSites(lead(['ABV']))).toEqual(['ABV']);
    expect(canSeeSite(lead(['ABV']), 'ABV')).toBe(true);
    expect(canSeeSite(lead(['ABV']), 'CAS')).toBe(false);
  });

  it('mean every site for a quality lead without sites and for any admin', () => {
    expect(visibleSites(lead([]))).toBeNull();
    expect(visibleSites({ ...lead(['ABV']), role: 'admin' })).toBeNull();
    expect(canSeeSite({ ...lead(['ABV']), role: 'admin' }, 'CAS')).toBe(true);
  });
});

describe('safeNext', () => {
  it.each([
    ['/reports?site=ABV#top', '/reports?site=ABV#top'],
    ['/admin/users', '/admin/users'],
    [undefined, '/home'],
    ['', '/home'],
    ['reports', '/home'],
    ['//evil.example', '/home'],
    ['/\\evil.example', '/home'],
    ['https://evil.example/', '/home'],
    ['/\t/evil.example', '/home'],
    ['/login', '/home'],
  ])('turns %j into %j', (next, expected) => {
    expect(safeNext(next, '/home')).toBe(expected);
  });
});

describe('password hashes', () => {
  it('carry the algorithm, parameters and salt, and verify only the right password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$N=32768,r=8,p=2\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(stored);
  });

  it('ask for a new hash when the stored parameters are weaker than today’s', () => {
    expect(needsRehash('scrypt$N=16384,r=8,p=1$c2FsdA==$aGFzaA==')).toBe(true);
    expect(needsRehash('scrypt$N=32768,r=8,p=2$c2FsdA==$aGFzaA==')).toBe(false);
  });

  it('treat a malformed hash as no match', async () => {
    expect(await verifyPassword('anything', 'bcrypt$2b$10$abc')).toBe(false);
    expect(await verifyPassword('anything', '')).toBe(false);
  });
});
