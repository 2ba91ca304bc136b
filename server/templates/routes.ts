/**
 * URL map of the survey template editor: admin pages only (signed-in admins, CSRF-checked
 * forms). Handlers in handlers.ts (list, new, template page, import/export, archive) and
 * editor-handlers.ts (edit, preview, publish).
 */
import { Router } from 'express';
import Joi from 'joi';
import { csrfProtection, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { redirectPreview, showEditor, showPreview, showPublish, submitDraft, submitPublish } from './editor-handlers';
import {
  exportJson,
  showImport,
  showNewTemplate,
  showTemplate,
  showTemplates,
  submitArchive,
  submitDiscard,
  submitImport,
  submitNewTemplate,
  submitUnarchive,
} from './handlers';
import { revisionBody, versionQuery } from './schemas';

const previewParams = Joi.object({
  key: Joi.string().required(),
  version: Joi.alternatives().try(Joi.number().integer().min(1), Joi.string().valid('draft')).required(),
  locale: Joi.string().valid('fr', 'en').required(),
});

export function templateRoutes(): Router {
  const router = Router();
  const base = '/admin/templates';
  router.use(base, requireStaff(), requireRole('admin'), csrfProtection());
  router.get(base, showTemplates);
  router.get(`${base}/new`, showNewTemplate);
  router.post(base, submitNewTemplate);
  router.get(`${base}/import`, showImport);
  router.post(`${base}/import`, submitImport);
  router.get(`${base}/:key`, showTemplate);
  router.get(`${base}/:key/edit`, showEditor);
  router.post(`${base}/:key/draft`, validate({ body: revisionBody }), submitDraft);
  router.post(`${base}/:key/draft/discard`, submitDiscard);
  router.get(`${base}/:key/preview`, redirectPreview);
  router.get(`${base}/:key/preview/:version/:locale`, validate({ params: previewParams }), showPreview);
  router.get(`${base}/:key/publish`, showPublish);
  router.post(`${base}/:key/publish`, validate({ body: revisionBody }), submitPublish);
  router.post(`${base}/:key/archive`, submitArchive);
  router.post(`${base}/:key/unarchive`, submitUnarchive);
  router.get(`${base}/:key/export`, validate({ query: versionQuery }), exportJson);
  return router;
}
