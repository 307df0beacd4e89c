// Webhook bodies in the shape Jira Cloud sends them, as captured from real sites: every standard
// field present (null or an empty list when unset), custom fields, avatar links, users without
// email (privacy), the changelog Jira puts on issue_created (with its tmp account id items), rich
// text as plain text, and comment events that carry only a few of the issue's fields and no user.
const SITE = 'https://acme-test.atlassian.net';
const API = `${SITE}/rest/api/2`;

const avatars = (seed: string) =>
  Object.fromEntries(['48x48', '24x24', '16x16', '32x32'].map((size) => [size, `https://secure.gravatar.com/avatar/${seed}?d=https%3A%2F%2Favatar-management--avatars.us-west-2.prod.public.atl-paas.net%2Finitials%2FSA-6.png`]));

export const CLOUD_USER = {
  self: `${API}/user?accountId=712020%3Af1ad7cfd-7f82-4dc0-85e4-8bc47bcc08e4`,
  accountId: '712020:f1ad7cfd-7f82-4dc0-85e4-8bc47bcc08e4',
  avatarUrls: avatars('25e5cc68b1a5228c32a588ebb6204683'),
  displayName: 'Sam Agent',
  active: true,
  timeZone: 'Asia/Calcutta',
  accountType: 'atlassian',
};

const status = (id: string, name: string, category: { id: number; key: string; colorName: string; name: string }) => ({
  self: `${API}/status/${id}`,
  description: '',
  iconUrl: `${SITE}/`,
  name,
  id,
  statusCategory: { self: `${API}/statuscategory/${category.id}`, ...category },
});
export const TO_DO = status('10000', 'To Do', { id: 2, key: 'new', colorName: 'blue-gray', name: 'New' });
export const IN_PROGRESS = status('10001', 'In Progress', { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' });

const issueType = {
  self: `${API}/issuetype/10004`,
  id: '10004',
  description: 'A problem or error.',
  iconUrl: `${API}/universal_avatar/view/type/issuetype/avatar/10303?size=medium`,
  name: 'Bug',
  subtask: false,
  avatarId: 10303,
  entityId: '47bba4bf-037a-41d4-a47e-27e832f95c28',
  hierarchyLevel: 0,
};
const project = {
  self: `${API}/project/10000`,
  id: '10000',
  key: 'OPS',
  name: 'Operations',
  projectTypeKey: 'software',
  simplified: false,
  avatarUrls: avatars('project-10421'),
};
const priority = { self: `${API}/priority/3`, iconUrl: `${SITE}/images/icons/priorities/medium_new.svg`, name: 'Medium', id: '3' };

function fields(key: string, statusValue: object, description: string): Record<string, unknown> {
  return {
    statuscategorychangedate: '2024-12-29T08:41:23.904+0530',
    issuetype: issueType,
    timespent: null,
    customfield_10030: null,
    project,
    fixVersions: [],
    aggregatetimespent: null,
    resolution: null,
    customfield_10027: null,
    resolutiondate: null,
    workratio: -1,
    issuerestriction: { issuerestrictions: {}, shouldDisplay: true },
    lastViewed: null,
    watches: { self: `${API}/issue/${key}/watchers`, watchCount: 0, isWatching: false },
    created: '2024-12-29T08:41:23.303+0530',
    customfield_10020: null,
    priority,
    labels: [],
    customfield_10018: { hasEpicLinkFieldDependency: false, showField: false, nonEditableReason: { reason: 'PLUGIN_LICENSE_ERROR', message: 'The Parent Link is only available to Jira Premium users.' } },
    customfield_10019: '0|i0001r:',
    timeestimate: null,
    aggregatetimeoriginalestimate: null,
    versions: [],
    issuelinks: [],
    assignee: CLOUD_USER,
    updated: '2024-12-29T08:43:45.214+0530',
    status: statusValue,
    components: [],
    timeoriginalestimate: null,
    description,
    customfield_10010: null,
    timetracking: {},
    security: null,
    aggregatetimeestimate: null,
    attachment: [],
    summary: 'Checkout returns 502',
    creator: CLOUD_USER,
    subtasks: [],
    reporter: CLOUD_USER,
    aggregateprogress: { progress: 0, total: 0 },
    customfield_10002: [],
    environment: null,
    duedate: null,
    progress: { progress: 0, total: 0 },
    votes: { self: `${API}/issue/${key}/votes`, votes: 0, hasVoted: false },
  };
}

const issue = (key: string, statusValue: object = TO_DO, description = 'Card payments fail after the 10:00 deploy.') => ({
  id: '10021',
  self: `${API}/10021`,
  key,
  fields: fields(key, statusValue, description),
});

export function issueCreated(key: string): Record<string, unknown> {
  const body = issue(key);
  return {
    timestamp: 1735441883659,
    webhookEvent: 'jira:issue_created',
    issue_event_type_name: 'issue_created',
    user: CLOUD_USER,
    issue: body,
    changelog: {
      id: '10025',
      items: [
        { field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: null, fromString: null, to: CLOUD_USER.accountId, toString: 'Sam Agent', tmpFromAccountId: null, tmpToAccountId: CLOUD_USER.accountId },
        { field: 'description', fieldtype: 'jira', fieldId: 'description', from: null, fromString: null, to: null, toString: body.fields.description },
        { field: 'priority', fieldtype: 'jira', fieldId: 'priority', from: null, fromString: null, to: '3', toString: 'Medium' },
        { field: 'reporter', fieldtype: 'jira', fieldId: 'reporter', from: null, fromString: null, to: CLOUD_USER.accountId, toString: 'Sam Agent', tmpFromAccountId: null, tmpToAccountId: CLOUD_USER.accountId },
        { field: 'Status', fieldtype: 'jira', fieldId: 'status', from: null, fromString: null, to: '10000', toString: 'To Do' },
        { field: 'summary', fieldtype: 'jira', fieldId: 'summary', from: null, fromString: null, to: null, toString: 'Checkout returns 502' },
      ],
    },
  };
}

export function issueUpdated(key: string): Record<string, unknown> {
  return {
    timestamp: 1735442025214,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: CLOUD_USER,
    issue: issue(key, IN_PROGRESS),
    changelog: {
      id: '10026',
      items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '10000', fromString: 'To Do', to: '10001', toString: 'In Progress' }],
    },
  };
}

export function issueDeleted(key: string): Record<string, unknown> {
  return { timestamp: 1735443025214, webhookEvent: 'jira:issue_deleted', issue_event_type_name: 'issue_deleted', user: CLOUD_USER, issue: issue(key, IN_PROGRESS) };
}

/** comment_created, comment_updated or comment_deleted: the comment (as it was, for a deletion) and a few issue fields. */
export function commentEvent(event: 'comment_created' | 'comment_updated' | 'comment_deleted', key: string, commentId: string, text: string): Record<string, unknown> {
  return {
    timestamp: 1735442125214,
    webhookEvent: event,
    comment: {
      self: `${API}/issue/10021/comment/${commentId}`,
      id: commentId,
      author: CLOUD_USER,
      body: text,
      updateAuthor: CLOUD_USER,
      created: '2024-12-29T08:45:48.447+0530',
      updated: event === 'comment_created' ? '2024-12-29T08:45:48.447+0530' : '2024-12-29T08:47:13.803+0530',
      jsdPublic: true,
    },
    issue: {
      id: '10021',
      self: `${API}/issue/10021`,
      key,
      fields: { summary: 'Checkout returns 502', issuetype: issueType, project, assignee: null, priority, status: IN_PROGRESS },
    },
  };
}
