/**
 * The SMTP thread as a process sees it: an email is sent even when nothing else keeps the
 * process alive, and once it is sent the idle thread does not hold the process open.
 */
import { runScript } from '../helpers/process';

test('a process that sent an email through the SMTP thread ends by itself', async () => {
  const { code, stdout, stderr } = await runScript('test/fixtures/send-one-email.ts', {});
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'sent\n', stderr: '' });
}, 30_000);
