/**
 * listRoutes() on a small Express 5 app: nested routers under their mount paths, path
 * arrays, HEAD folded into GET, duplicates merged, `.all()` routes.
 */
import express, { Router } from 'express';
import { listRoutes } from '../helpers/routes';

describe('listRoutes', () => {
  it('lists routes of nested routers under their mount paths, HEAD folded into GET, deduplicated and sorted', () => {
    const app = express();
    const inner = Router();
    inner.get('/', (_req, res) => void res.end());
    inner.route('/:id').get((_req, res) => void res.end()).head((_req, res) => void res.end()).post((_req, res) => void res.end());
    const outer = Router();
    outer.use('/items', inner);
    outer.use((_req, _res, next) => next());
    app.use('/shop/:shop', outer);
    app.get(['/a', '/b'], (_req, res) => void res.end());
    app.get('/a', (_req, res) => void res.end());
    // router.all() registers one route for every method (app.all() registers each method instead).
    const any = Router();
    any.all('/any', (_req, res) => void res.end());
    app.use(any);

    expect(listRoutes(app)).toEqual([
      { method: 'GET', path: '/a' },
      { method: 'ALL', path: '/any' },
      { method: 'GET', path: '/b' },
      { method: 'GET', path: '/shop/:shop/items' },
      { method: 'GET', path: '/shop/:shop/items/:id' },
      { method: 'POST', path: '/shop/:shop/items/:id' },
    ]);
  });
});
