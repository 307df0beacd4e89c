// Request and response shapes of the admin page's resolver calls, shared by the backend
// (src/handlers/admin) and the page (static/admin/src/api). One definition, no copies.

export interface OverviewResponse {
  appVersion: string;
  connections: number;
  viewer: { accountId: string };
}

/** Resolver errors reach the page as an Error whose message starts with one of these codes. */
export type AdminErrorCode = 'FORBIDDEN' | 'INVALID' | 'NOT_FOUND' | 'FAILED';

/** Splits a resolver error message into its code and the words meant for the admin. */
export function readAdminError(message: string): { code: AdminErrorCode; text: string } {
  const match = /^(FORBIDDEN|INVALID|NOT_FOUND|FAILED): (.*)$/s.exec(message);
  return match ? { code: match[1] as AdminErrorCode, text: match[2] ?? '' } : { code: 'FAILED', text: message };
}
