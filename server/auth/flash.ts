/**
 * One-time messages carried in the session from a POST to the page it redirects to
 * (Post/Redirect/Get): a confirmation, or a secret shown once (an API key, a link).
 */
import type { Request } from 'express';
import type { Flash } from './session-data';

export function setFlash(req: Request, flash: Flash): void {
  req.session.flash = flash;
}

/** The pending messages, removed from the session. */
export function takeFlash(req: Request): Flash {
  const flash = req.session?.flash ?? {};
  if (req.session?.flash) delete req.session.flash;
  return flash;
}
