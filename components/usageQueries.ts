/**
 * Saved CloudWatch Logs Insights queries for login usage statistics, over the JSON line the
 * pre-token-generation Lambda writes for every access decision (`message: "access decision"`,
 * `decision`, `reason`, `dashboard`, `trigger`, `user`, `userGroups`, ...). Pure data: the platform
 * turns each into an `aws.cloudwatch.QueryDefinition` named `<project>/<stack>/<name>`.
 *
 * Every query filters on `message` and `decision` first, so the other lines in the log group
 * (Lambda's `START`/`END`/`REPORT` lines, which have no such fields) never count.
 * The queries use only `filter` with `=` and `and`, `stats` with `count(*)`, `count_distinct`,
 * `max` and `bin`, `as`, `sort` on one key and nothing else; test/usageQueries.test.ts runs each
 * text through an evaluator of exactly that subset (test/logsInsights.ts).
 */
// Logs Insights discovers the fields of a JSON log line by itself (Lambda: the first JSON fragment of the event): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
// Commands are separated by `|`; `filter` compares with `=` and joins with `and`: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
// `as` names stats results and `by` fields (`stats count(*) by duration as time | sort time desc`): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-alias.html
// `bin()` takes ms, s, m, h, d, w, mo, q and y; `1w` is valid: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html
// count_distinct is an approximation for very high-cardinality fields: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
// Without `limit`, a query returns up to 10,000 rows (ample for a dashboard × day table): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html

/** One saved Logs Insights query. */
export interface UsageQuery {
    /** The saved-query name under the stack's folder (the caller prefixes `<project>/<stack>/`). */
    name: string;
    /** What the answer means and how to read it, for the person running it. */
    description: string;
    /** The Logs Insights query text. */
    queryString: string;
}

// AWS::Logs::QueryDefinition: Name 1..255 characters, QueryString 1..10,000 characters: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-querydefinition.html
/** Longest query definition name AWS accepts (`aws.cloudwatch.QueryDefinition` `name`), prefix included. */
export const QUERY_DEFINITION_NAME_MAX_LENGTH = 255;
/** Longest query text AWS accepts (`aws.cloudwatch.QueryDefinition` `queryString`). */
export const QUERY_DEFINITION_QUERY_MAX_LENGTH = 10_000;

/** Only the lines that are access decisions with this outcome. */
const decisionFilter = (decision: "allow" | "deny") => `filter message = "access decision" and decision = "${decision}"`;

/** Distinct users per dashboard per period: allowed decisions, refreshes included (a refresh is the same user still using it). */
function distinctUsersQuery(period: "1d" | "1w", column: "day" | "week"): string {
    return [decisionFilter("allow"), `| stats count_distinct(user) as users by dashboard, bin(${period}) as ${column}`, `| sort ${column} asc`].join("\n");
}

/** The saved usage queries, by what they answer. */
export const USAGE_QUERIES = {
    usersPerDay: {
        name: "dashboard-users-per-day",
        description:
            "Distinct users let into each dashboard per UTC day (bin(1d)). Counts allowed sign-ins and token refreshes, so a user who " +
            "kept a dashboard open past midnight counts on both days; denied users never count. `user` is the stack's user key " +
            "(salted hash by default); count_distinct is approximate only at very high cardinality.",
        queryString: distinctUsersQuery("1d", "day"),
    },
    usersPerWeek: {
        name: "dashboard-users-per-week",
        description:
            "Distinct users let into each dashboard per week (bin(1w)), counted as in dashboard-users-per-day. A user active on " +
            "several days of a week counts once for that week.",
        queryString: distinctUsersQuery("1w", "week"),
    },
    deniedByDashboardAndGroup: {
        name: "denied-logins-by-dashboard-and-group",
        description:
            "Denied token requests by dashboard, reason and the user's groups (userGroups, sorted and comma-joined), most first. " +
            "Rows without a dashboard are denials before a dashboard was known (unknown-client, invalid-event, access-map-unavailable, " +
            "config-error, internal-error). A user who retries counts once per attempt.",
        queryString: [decisionFilter("deny"), "| stats count(*) as denials by dashboard, reason, userGroups", "| sort denials desc"].join("\n"),
    },
    lastOpenedPerDashboard: {
        name: "last-opened-per-dashboard",
        description:
            "When each dashboard was last opened (lastOpened: the latest allowed sign-in, token refreshes not counted) and how many " +
            "sign-ins it had, least recently opened first. Run it over the last N days: a dashboard missing from the result was not " +
            "opened in that window (compare with the stack output dashboardUrls).",
        queryString: [
            `${decisionFilter("allow")} and trigger = "sign-in"`,
            "| stats max(@timestamp) as lastOpened, count(*) as signIns by dashboard",
            "| sort lastOpened asc",
        ].join("\n"),
    },
} as const satisfies Record<string, UsageQuery>;

/** The saved usage queries as a list, for creating one query definition each. */
export const USAGE_QUERY_LIST: readonly UsageQuery[] = Object.values(USAGE_QUERIES);

/**
 * The full saved-query name `<project>/<stack>/<name>` (the slashes make console folders).
 * @throws Error when the name is longer than AWS accepts.
 */
export function usageQueryDefinitionName(project: string, stack: string, query: Pick<UsageQuery, "name">): string {
    const name = `${project}/${stack}/${query.name}`;
    if (name.length > QUERY_DEFINITION_NAME_MAX_LENGTH) {
        throw new Error(`saved query name ${JSON.stringify(name)} is ${name.length} characters; AWS accepts at most ${QUERY_DEFINITION_NAME_MAX_LENGTH}`);
    }
    return name;
}
