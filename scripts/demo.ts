/**
 * `npm run demo`: starts Retour exactly like `npm start`, with DEMO=1 so the app loads
 * its demo sites, queues, calls and answers at start-up (on any database, MONGODB_URI
 * included). Once the demo is in, running it again loads nothing and says so.
 */
import { main } from '../server/main';

void main({ ...process.env, DEMO: '1' });
