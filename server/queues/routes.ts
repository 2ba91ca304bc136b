/**
 * URL map of queues: the admin pages (admins only, CSRF-checked forms), relocation as
 * its own action, and the provisioning API (API key). Handlers in handlers.ts,
 * relocate-handlers.ts and api.ts.
 */
import { Router } from 'express';
import { csrfProtection, requireApiKey, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { listQueuesApi, putQueueApi, showQueueApi } from './api';
import { showNewQueue, showQueue, showQueues, submitNewQueue, submitQueue } from './handlers';
import { showRelocate, submitCancelRelocation, submitRelocate } from './relocate-handlers';
import { queueBody, queueParams } from './schemas';

export function queueRoutes(): Router {
  const router = Router();
  router.use('/admin/queues', requireStaff(), requireRole('admin'), csrfProtection());
  router.get('/admin/queues', showQueues);
  router.get('/admin/queues/new', showNewQueue);
  router.post('/admin/queues', submitNewQueue);
  router.get('/admin/queues/:code', showQueue);
  router.post('/admin/queues/:code', submitQueue);
  router.get('/admin/queues/:code/relocate', showRelocate);
  router.post('/admin/queues/:code/relocate', submitRelocate);
  router.post('/admin/queues/:code/relocation/cancel', submitCancelRelocation);

  router.use('/api/v1/queues', requireApiKey());
  router.get('/api/v1/queues', listQueuesApi);
  router.get('/api/v1/queues/:code', validate({ params: queueParams }), showQueueApi);
  router.put('/api/v1/queues/:code', validate({ params: queueParams, body: queueBody }), putQueueApi);
  return router;
}
