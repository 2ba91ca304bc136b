/**
 * The chart thread as a process sees it: a chart asked for is drawn even when nothing else
 * keeps the process alive, and once it is drawn the idle thread does not hold the process
 * open (a script, a benchmark or a test that drew a chart ends by itself).
 */
import { runScript } from '../helpers/process';

test('a process that drew a chart on the chart thread prints it and ends by itself', async () => {
  const { code, stdout, stderr } = await runScript('test/fixtures/draw-chart.ts', {});
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'drawn\n', stderr: '' });
}, 30_000);
