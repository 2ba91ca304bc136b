/**
 * URL map of calls: the ingest API (API key), the decision log and the CSV import
 * (admins; CSRF-checked forms). The import's upload is multipart: callUploadParser()
 * reads it between the session router's admin guard and its CSRF check, which needs the
 * form's `_csrf`.
 */
import { Router } from 'express';
import { csrfProtection, requireApiKey, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { postCallsApi, showCallApi } from './api';
import { showImportStart, showImport, submitImportMapping, submitImportRun, submitUpload, uploadCsv } from './import-handlers';
import { showCall, showDecisionLog } from './log-handlers';
import { callParams, importParams, logQuery } from './schemas';

/**
 * The CSV upload form, parsed under /admin once the session router has found an admin
 * (features.ts) and before its CSRF check, which reads the form's token: nobody else
 * can make the server read an upload.
 */
export function callUploadParser(): Router {
  const router = Router();
  router.post('/calls/import', uploadCsv());
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
