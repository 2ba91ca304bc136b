/**
 * The error a synchronous call throws, for assertions on its code and message; fails
 * the test when nothing is thrown.
 */
export function errorOf(fn: () => unknown): { code?: number; codeName?: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: number; codeName?: string; message: string };
  }
  throw new Error('expected an error');
}
