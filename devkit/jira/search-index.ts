// The search index behind /rest/api/3/search/jql, which trails the issues it indexes.
//
// Jira's enhanced search "doesn't provide read-after-write consistency by default": after a write,
// a search without `reconcileIssues` "may return stale or outdated data instead of the most recent
// updates for some time"; "the delay might vary from a few seconds to minutes", and the ids named in
// `reconcileIssues` (at most 50) come back as they are now
// (https://developer.atlassian.com/cloud/jira/platform/search-and-reconcile/).
//
// Modelled here: each state of an issue's searchable view becomes visible `lagMs` after the write
// that made it (its `updated`, or the time of an entity property's write, which leaves `updated`
// alone; a change of neither, from when the index first sees it). Until then a search matches the issue as it was before, and a
// new issue not at all. The states are kept as searches see them: an issue no search saw since it
// was made is searched as it is once it is older than the lag, its last edit included. An issue
// deleted leaves the results at once. /jql/match and bulkfetch read the issues themselves and are
// not affected.
import type { JqlIssueView } from './jql-types';

interface Version {
  view: JqlIssueView;
  /** Epoch ms from which searches see this state. */
  visibleAt: number;
  fingerprint: string;
}

/** How long a write takes to reach search by default: "the majority of modifications are shown within seconds". */
export const DEFAULT_SEARCH_LAG_MS = 2_000;
/** Jira reconciles at most this many issues per search. */
export const MOST_RECONCILED = 50;

export class SearchIndex {
  private readonly versions = new Map<string, Version[]>();
  /** Writes that leave `updated` alone (entity properties), by issue id: when each last was. */
  private readonly written = new Map<string, number>();

  constructor(private lagMs: number) {}

  setLag(ms: number): void {
    this.lagMs = ms;
  }

  get lag(): number {
    return this.lagMs;
  }

  /** Notes a write that leaves the issue's `updated` alone (an entity property set or deleted). */
  wrote(issueId: string, at: number): void {
    this.written.set(issueId, at);
  }

  /** The issue's view as search sees it at `now`, given its live view; undefined while it is not searchable yet. */
  visible(live: JqlIssueView, now: number): JqlIssueView | undefined {
    if (this.lagMs <= 0) return live;
    const fingerprint = JSON.stringify(live);
    const known = this.versions.get(live.id) ?? [];
    const last = known.at(-1);
    if (last?.fingerprint !== fingerprint) {
      // A write that moved `updated` dates itself; one that did not is dated when first seen here.
      // An issue first seen after it was made and indexed: its earlier states were never kept here,
      // so it is searched as it is (kinder than Jira only for an edit this recent).
      const latest = Math.max(live.updated, this.written.get(live.id) ?? 0);
      const writtenAt = !last ? (live.created + this.lagMs <= now ? live.created : latest) : latest > Math.max(last.view.updated, last.visibleAt - this.lagMs) ? latest : now;
      known.push({ view: live, visibleAt: Math.min(writtenAt, now) + this.lagMs, fingerprint });
      this.versions.set(live.id, known);
    }
    // The newest state the index has caught up with; older ones are of no further use.
    let shown: Version | undefined;
    let index = -1;
    for (const [i, version] of known.entries()) {
      if (version.visibleAt <= now) {
        shown = version;
        index = i;
      }
    }
    if (index > 0) known.splice(0, index);
    return shown?.view;
  }

  clear(): void {
    this.versions.clear();
    this.written.clear();
  }
}
