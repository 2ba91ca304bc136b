/**
 * URL map of calls: the ingest API (API key), the decision log and the CSV import
 * (admins; CSRF-checked forms). The import's upload is multipart: callUploadParser()
 * reads it ahead of the session router, whose CSRF check needs the form's `_csrf`.
 */
import { Router } from 'express';
import { csrfProtection, requireApiKey, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { postCallsApi, showCallApi } from './api';
import { showImportStart, showImport, submitImportMapping, submitImportRun, submitUpload, uploadCsv } from './import-handlers';
import { showCall, showDecisionLog } from './log-handlers';
import { callParams, importParams, logQuery } from './schemas';

/**
 * Mounted before the session router (features.ts): parses the CSV upload form so the
 * staff-area CSRF check can read its token. Only requests that carry a cookie (a
 * session, perhaps) are parsed, within the upload's size limit; guards run after.
 */
export function callUploadParser(): Router {
  const router = Router();
  const parse = uploadCsv();
  router.post('/admin/calls/import', (req, res, next) => (req.headers.cookie ? parse(req, res, next) : next()));
  return router;
}

export function callRoutes(): Router {
  const router = Router();
  router.post('/api/v1/calls', requireApiKey(), postCallsApi);
  router.get('/api/v1/calls/:externalId', requireApiKey(), validate({ params: callParams }), showCallApi);

  const admin = [requireStaff(), requireRole('admin')];
  router.use('/admin/calls', ...admin, csrfProtection());
  router.post('/admin/calls/import', submitUpload);
  router.get('/admin/calls', validate({ query: logQuery }), showDecisionLog);
  router.get('/admin/calls/import', showImportStart);
  router.get('/admin/calls/import/:id', validate({ params: importParams }), showImport);
  router.post('/admin/calls/import/:id/mapping', validate({ params: importParams }), submitImportMapping);
  router.post('/admin/calls/import/:id/run', validate({ params: importParams }), submitImportRun);
  router.get('/admin/calls/:externalId', validate({ params: callParams }), showCall);
  return router;
}
