/**
 * The public home page: what Retour is, where staff sign in, what a customer who got
 * a survey should do. Feature pages live in their own folders.
 */
import type { RequestHandler } from 'express';

/** GET /: the home page, in the reader's language. One route, mounted on the app itself rather than as a router every request walks through. */
export const homePage: RequestHandler = (_req, res) => {
  res.render('home', { title: res.locals.t('home.title') });
};
