// Request and response shapes of the admin page's resolver calls, shared by the backend
// (src/handlers/admin) and the page (static/admin/src/api). One definition, no copies.

export interface OverviewResponse {
  appVersion: string;
  connections: number;
  viewer: { accountId: string };
}

/** Resolver errors reach the page as an Error whose message starts with one of these codes. */
export type AdminErrorCode = 'FORBIDDEN' | 'INVALID' | 'NOT_FOUND' | 'FAILED';
