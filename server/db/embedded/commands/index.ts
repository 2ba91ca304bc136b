/**
 * Loads every command family so each registers its handlers in the command table.
 */
import './handshake';
import './find';
import './write';
import './bulk-write';
import './find-and-modify';
import './aggregate';
import './collections';
import './indexes';

export { runCommand } from './registry';
