/**
 * What a Retour session holds (typed for express-session): the signed-in user, the
 * moment the session must end whatever the activity, the CSRF token and one-time
 * messages for the next page (Post/Redirect/Get).
 */
import 'express-session';

export interface Flash {
  /** i18n key of a confirmation shown once. */
  notice?: string;
  /** A secret shown once to the admin who created it (API key, set-password link). */
  secret?: { kind: 'apiKey' | 'setPasswordLink'; value: string; label: string };
}

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** The user's authVersion at login: a password change or disabling bumps it and ends other sessions. */
    authVersion: number;
    /** Epoch ms: the absolute end of a signed-in session (idle expiry is the cookie's rolling maxAge). */
    absoluteExpiresAt: number;
    csrfToken: string;
    flash: Flash;
  }
}
