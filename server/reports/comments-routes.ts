/**
 * URL map of the comments page (signed-in staff: sessionRouter guards /reports with
 * requireStaff and checks the CSRF token of every POST). Pages: views/reports/comments.hbs.
 */
import { Router } from 'express';
import { handleComment, reopenHandled, showComments } from './comments-handlers';

export function commentRoutes(): Router {
  const router = Router();
  router.get('/reports/comments', showComments);
  router.post('/reports/comments/:id/handled', handleComment);
  router.post('/reports/comments/:id/reopen', reopenHandled);
  return router;
}
