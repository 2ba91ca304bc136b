/**
 * The public home page: what Retour is, where staff sign in, what a customer who got
 * a survey should do. Feature pages live in their own folders.
 */
import { Router } from 'express';

export function homeRoutes(): Router {
  const router = Router();
  // GET /: the home page, in the reader's language.
  router.get('/', (_req, res) => {
    res.render('home', { title: res.locals.t('home.title') });
  });
  return router;
}
