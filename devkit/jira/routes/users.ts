// Users and permissions: /myself, /user, /user/search, /user/email (the app only), /mypermissions.
import type { Route, RouteContext } from '../context';
import { badRequest, intParam, JiraError, json, notFound } from '../http';
import type { UserRecord } from '../model';

const NO_USER = 'Specified user does not exist or you do not have required permissions';

function myself(ctx: RouteContext) {
  return json(200, { ...ctx.store.userJson(ctx.caller.user), locale: 'en_US' });
}

function getUser(ctx: RouteContext) {
  const accountId = ctx.query.get('accountId');
  if (accountId === null || accountId === '') throw badRequest(['The accountId query parameter needs to be provided.']);
  const user = ctx.store.users.get(accountId);
  if (!user) throw notFound(NO_USER);
  return json(200, { ...ctx.store.userJson(user), locale: 'en_US' });
}

/** Prefix match on any word of the display name, on a visible email; a hidden email only matches exactly. */
function userMatches(user: UserRecord, query: string): boolean {
  const q = query.toLowerCase().trim();
  if (q === '') return false;
  const name = user.displayName.toLowerCase();
  if (name.startsWith(q) || name.split(/\s+/).some((word) => word.startsWith(q))) return true;
  const email = user.emailAddress?.toLowerCase();
  if (email === undefined) return false;
  return user.emailHidden ? email === q : email.startsWith(q);
}

function searchUsers(ctx: RouteContext) {
  const query = ctx.query.get('query');
  const accountId = ctx.query.get('accountId');
  if ((query === null || query === '') && (accountId === null || accountId === '')) {
    throw badRequest(["One of 'query' or 'accountId' or 'property' query parameter must be provided."]);
  }
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = Math.min(intParam(ctx.query, 'maxResults', 50), 1000);
  const found = [...ctx.store.users.values()].filter(
    (u) => u.active && (accountId === null || accountId === '' || u.accountId === accountId) && (query === null || query === '' || userMatches(u, query)),
  );
  return json(200, found.slice(startAt, startAt + maxResults).map((u) => ctx.store.userJson(u)));
}

/**
 * Get user email: for Forge apps only through asApp(); a user calling it gets 401 ("for example
 * if a user is trying to access this API").
 * developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-users/#api-rest-api-3-user-email-get
 */
function userEmail(ctx: RouteContext) {
  if (!ctx.caller.isApp) throw new JiraError(401, ['Only apps are allowed to access this API.']);
  const accountId = ctx.query.get('accountId');
  if (accountId === null || accountId === '') throw badRequest(['The accountId query parameter needs to be provided.']);
  const user = ctx.store.users.get(accountId);
  if (!user || user.emailAddress === undefined) throw notFound(NO_USER);
  return json(200, { accountId: user.accountId, email: user.emailAddress });
}

interface PermissionInfo {
  id: string;
  name: string;
  type: 'GLOBAL' | 'PROJECT';
  description: string;
  /** Only administrators hold it (the app holds everything). */
  adminOnly: boolean;
}

const PERMISSIONS: Record<string, PermissionInfo> = {
  ADMINISTER: { id: '0', name: 'Administer Jira', type: 'GLOBAL', description: 'Create and administer projects, issue types, fields, workflows, and schemes for all projects.', adminOnly: true },
  SYSTEM_ADMIN: { id: '44', name: 'Jira System Administrators', type: 'GLOBAL', description: 'Ability to perform all administration functions.', adminOnly: true },
  USER_PICKER: { id: '27', name: 'Browse users and groups', type: 'GLOBAL', description: 'View and select users or groups from the user picker, and share issues.', adminOnly: false },
  ADMINISTER_PROJECTS: { id: '23', name: 'Administer Projects', type: 'PROJECT', description: 'Ability to administer a project in Jira.', adminOnly: true },
  BROWSE_PROJECTS: { id: '10', name: 'Browse Projects', type: 'PROJECT', description: 'Ability to browse projects and the issues within them.', adminOnly: false },
  CREATE_ISSUES: { id: '11', name: 'Create Issues', type: 'PROJECT', description: 'Ability to create issues.', adminOnly: false },
  EDIT_ISSUES: { id: '12', name: 'Edit Issues', type: 'PROJECT', description: 'Ability to edit issues.', adminOnly: false },
  ASSIGN_ISSUES: { id: '13', name: 'Assign Issues', type: 'PROJECT', description: 'Ability to assign issues to other people.', adminOnly: false },
  RESOLVE_ISSUES: { id: '14', name: 'Resolve Issues', type: 'PROJECT', description: 'Ability to resolve and reopen issues.', adminOnly: false },
  ADD_COMMENTS: { id: '15', name: 'Add Comments', type: 'PROJECT', description: 'Ability to comment on issues.', adminOnly: false },
  DELETE_ISSUES: { id: '16', name: 'Delete Issues', type: 'PROJECT', description: 'Ability to delete issues.', adminOnly: false },
  ASSIGNABLE_USER: { id: '17', name: 'Assignable User', type: 'PROJECT', description: 'Users with this permission may be assigned to issues.', adminOnly: false },
  CLOSE_ISSUES: { id: '18', name: 'Close Issues', type: 'PROJECT', description: 'Ability to close issues.', adminOnly: false },
  LINK_ISSUES: { id: '21', name: 'Link Issues', type: 'PROJECT', description: 'Ability to link issues together and create linked issues.', adminOnly: false },
  EDIT_ALL_COMMENTS: { id: '34', name: 'Edit All Comments', type: 'PROJECT', description: 'Ability to edit all comments made on issues.', adminOnly: true },
  EDIT_OWN_COMMENTS: { id: '35', name: 'Edit Own Comments', type: 'PROJECT', description: 'Ability to edit own comments made on issues.', adminOnly: false },
  DELETE_ALL_COMMENTS: { id: '36', name: 'Delete All Comments', type: 'PROJECT', description: 'Ability to delete all comments made on issues.', adminOnly: true },
  DELETE_OWN_COMMENTS: { id: '37', name: 'Delete Own Comments', type: 'PROJECT', description: 'Ability to delete own comments made on issues.', adminOnly: false },
  TRANSITION_ISSUES: { id: '46', name: 'Transition Issues', type: 'PROJECT', description: 'Ability to transition issues.', adminOnly: false },
};

function myPermissions(ctx: RouteContext) {
  const raw = ctx.query.get('permissions');
  if (raw === null || raw.trim() === '') throw badRequest(['The permissions query parameter is required.']);
  const keys = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const unknown = keys.filter((k) => PERMISSIONS[k] === undefined);
  if (unknown.length > 0) throw badRequest([`Unrecognized permission keys: ${unknown.join(', ')}`]);
  const projectRef = ctx.query.get('projectKey') ?? ctx.query.get('projectId');
  if (projectRef !== null && !ctx.store.findProject(projectRef)) throw notFound(`No project could be found with key '${projectRef}'.`);
  const issueRef = ctx.query.get('issueKey') ?? ctx.query.get('issueId');
  const issue = issueRef !== null ? ctx.store.requireIssue(issueRef) : undefined;
  // A project permission asked about one project (or an issue's) follows the user's access to it:
  // permission schemes grant Browse Projects and Edit Issues per project, through roles.
  // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-mypermissions-get
  const projectKey = issue ? ctx.store.projects.get(issue.projectId)?.key : projectRef !== null ? ctx.store.findProject(projectRef)?.key : undefined;
  const access = ctx.caller.isApp || projectKey === undefined ? undefined : ctx.caller.user.projectAccess?.[projectKey];
  const permissions: Record<string, unknown> = {};
  for (const key of keys) {
    const info = PERMISSIONS[key];
    if (!info) continue;
    const projectGrant = info.type !== 'PROJECT' || access === undefined ? true : access === 'browse' ? key === 'BROWSE_PROJECTS' : false;
    permissions[key] = {
      id: info.id,
      key,
      name: info.name,
      type: info.type,
      description: info.description,
      havePermission: ctx.caller.isApp || (projectGrant && (ctx.caller.admin || !info.adminOnly)),
    };
  }
  return json(200, { permissions });
}

export const userRoutes: Route[] = [
  { method: 'GET', path: '/myself', handler: myself },
  { method: 'GET', path: '/user', handler: getUser },
  { method: 'GET', path: '/user/search', handler: searchUsers },
  { method: 'GET', path: '/user/email', handler: userEmail },
  { method: 'GET', path: '/mypermissions', handler: myPermissions },
];
